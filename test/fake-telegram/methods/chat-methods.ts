import { badRequest } from '../api-error.ts';
import { chatMember } from '../chat-member.ts';
import { chatIdParam, requiredInteger } from '../param-readers.ts';
import type { ChatMember } from '../types.ts';
import type { MethodTable } from './method.ts';

export const chatMethods: MethodTable = {
  getChat(params, { state }) {
    const { chat } = state.chats.apiChat(chatIdParam(params));
    return { ...chat, accent_color_id: 0, max_reaction_count: 11, accepted_gift_types: defaultGiftTypes() };
  },

  getChatMember(params, { state }) {
    const { chat } = state.chats.apiChat(chatIdParam(params));
    const userId = requiredInteger(params, 'user_id', 'user_id is empty');
    const user = state.chats.knownUser(userId) ?? { id: userId, is_bot: false, first_name: String(userId) };
    return chatMember(
      user,
      state.chats.memberStatus(chat.id, userId),
      state.chats.adminRights(chat.id, userId),
    );
  },

  getChatAdministrators(params, { state }) {
    const record = state.chats.apiChat(chatIdParam(params));
    if (record.chat.type === 'private') throw badRequest('there are no administrators in the private chat');
    const admins: ChatMember[] = [];
    for (const [userId, status] of record.members) {
      const user = state.chats.knownUser(userId);
      if (user && (status === 'creator' || status === 'administrator')) {
        admins.push(chatMember(user, status, state.chats.adminRights(record.chat.id, userId)));
      }
    }
    return admins;
  },

  getChatMemberCount(params, { state }) {
    const record = state.chats.apiChat(chatIdParam(params));
    if (record.chat.type === 'private') return 2;
    return [...record.members.values()].filter((status) => !['left', 'kicked'].includes(status)).length;
  },
};

function defaultGiftTypes() {
  return { unlimited_gifts: false, limited_gifts: false, unique_gifts: false, premium_subscription: false };
}

import { badRequest } from '../api-error.ts';
import { chatIdParam, optionalJson, requiredInteger } from '../param-readers.ts';
import { REACTION_EMOJI } from '../reaction-emoji.ts';
import type { ReactionType, ReactionTypeEmoji } from '../types.ts';
import type { MethodTable } from './method.ts';

/** "Currently, as non-premium users, bots can set up to one reaction per message." */
const MAX_BOT_REACTIONS = 1;

export const reactionMethods: MethodTable = {
  /**
   * Sets (replaces) the bot's reactions on a message; an empty or missing `reaction` removes them.
   * Parsing texts are the Bot API's (Client::get_reaction_types); the rest the server's.
   */
  setMessageReaction(params, { state }) {
    const chatId = chatIdParam(params);
    const found = state.chats.apiChat(chatId);
    const record = found.chat.type === 'private' ? found : state.chats.writableChat(chatId);
    const messageId = requiredInteger(params, 'message_id', 'message identifier is not specified');
    const reaction = readReactions(params.reaction);
    if (!state.chats.message(record.chat.id, messageId)) throw badRequest('message to react not found');
    const emoji = reaction.map((type) => {
      if (type.type !== 'emoji' || !REACTION_EMOJI.has(type.emoji)) throw badRequest('REACTION_INVALID');
      return { type: 'emoji', emoji: type.emoji } as ReactionTypeEmoji;
    });
    if (emoji.length > MAX_BOT_REACTIONS) throw badRequest('REACTIONS_TOO_MANY');
    const byActor = record.reactions.get(messageId) ?? new Map<number, ReactionType[]>();
    if (emoji.length === 0) byActor.delete(state.bot.id);
    else byActor.set(state.bot.id, emoji);
    record.reactions.set(messageId, byActor);
    return true;
  },
};

function readReactions(value: unknown): ReactionType[] {
  const reactions = optionalJson({ value }, 'value', "can't parse reaction types JSON object");
  if (reactions === undefined) return [];
  if (!Array.isArray(reactions)) throw badRequest('expected an Array of ReactionType');
  return reactions.map((reaction) => {
    if (typeof reaction !== 'object' || reaction === null || Array.isArray(reaction)) {
      throw badRequest("can't parse ReactionType: expected an Object");
    }
    const { type, emoji, custom_emoji_id } = reaction as Record<string, unknown>;
    if (typeof type !== 'string') throw badRequest(`can't parse ReactionType: Can't find field "type"`);
    if (type === 'emoji') {
      if (typeof emoji !== 'string') throw badRequest(`can't parse ReactionType: Can't find field "emoji"`);
      return { type, emoji } as ReactionTypeEmoji;
    }
    if (type === 'custom_emoji' && custom_emoji_id !== undefined) {
      // Refused as REACTION_INVALID: the fake has no chat that allows custom emoji reactions.
      return { type, custom_emoji_id: String(custom_emoji_id) };
    }
    throw badRequest("can't parse ReactionType: invalid reaction type specified");
  });
}

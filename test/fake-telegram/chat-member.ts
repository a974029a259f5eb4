import { type AdminRights, defaultAdminRights } from './admin-rights.ts';
import type { ChatMember, MemberStatus, User } from './types.ts';

/** A ChatMember object as getChatMember and my_chat_member updates carry it. */
export function chatMember(user: User, status: MemberStatus, rights?: AdminRights): ChatMember {
  switch (status) {
    case 'creator':
      return { status, user, is_anonymous: false };
    case 'administrator':
      return {
        status,
        user,
        can_be_edited: false,
        is_anonymous: false,
        ...(rights ?? { ...defaultAdminRights(false), can_manage_topics: false }),
      } as ChatMember;
    case 'restricted':
      return {
        status,
        user,
        is_member: true,
        can_send_messages: false,
        can_send_audios: false,
        can_send_documents: false,
        can_send_photos: false,
        can_send_videos: false,
        can_send_video_notes: false,
        can_send_voice_notes: false,
        can_send_polls: false,
        can_send_other_messages: false,
        can_add_web_page_previews: false,
        can_change_info: false,
        can_invite_users: false,
        can_pin_messages: false,
        can_manage_topics: false,
        until_date: 0,
      } as ChatMember;
    case 'kicked':
      return { status, user, until_date: 0 };
    default:
      return { status, user } as ChatMember;
  }
}

/** The administrator rights the fake checks, and the ones an administrator has when none are given. */
export interface AdminRights {
  can_manage_chat: boolean;
  can_delete_messages: boolean;
  can_manage_video_chats: boolean;
  can_restrict_members: boolean;
  can_promote_members: boolean;
  can_change_info: boolean;
  can_invite_users: boolean;
  can_post_stories: boolean;
  can_edit_stories: boolean;
  can_delete_stories: boolean;
  can_pin_messages: boolean;
  /** Create, rename, close and reopen forum topics; supergroups only. */
  can_manage_topics: boolean;
}

/**
 * Telegram's promote dialog: every right on except adding admins and stories; "Manage topics" is
 * on in forum supergroups (it only exists there).
 */
export function defaultAdminRights(isForum: boolean): AdminRights {
  return {
    can_manage_chat: true,
    can_delete_messages: true,
    can_manage_video_chats: true,
    can_restrict_members: true,
    can_promote_members: false,
    can_change_info: true,
    can_invite_users: true,
    can_post_stories: false,
    can_edit_stories: false,
    can_delete_stories: false,
    can_pin_messages: true,
    can_manage_topics: isForum,
  };
}

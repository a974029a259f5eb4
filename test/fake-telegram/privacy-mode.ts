import type { FakeState } from './fake-state.ts';
import type { Message } from './types.ts';

/**
 * Whether the bot gets an update for a user's message. In groups the bot must be a member, and
 * with privacy mode on (BotFather's default) a non-admin bot sees only commands (not addressed to
 * another bot), messages mentioning it, and replies to its own messages.
 */
export function botReceives(state: FakeState, message: Message): boolean {
  if (message.chat.type === 'private') return true;
  const status = state.chats.memberStatus(message.chat.id, state.bot.id);
  if (status === 'left' || status === 'kicked') return false;
  if (!state.privacyMode || status === 'administrator' || status === 'creator') return true;
  if (message.forum_topic_created) return true; // service messages reach every member bot
  if (message.via_bot?.id === state.bot.id) return true; // messages sent via this bot (inline mode)
  const text = message.text ?? message.caption ?? '';
  const username = state.bot.username?.toLowerCase() ?? '';
  const command = /^\/[A-Za-z0-9_]+(?:@([A-Za-z0-9_]+))?/.exec(text);
  if (command) return command[1] === undefined || command[1].toLowerCase() === username;
  if (text.toLowerCase().includes(`@${username}`)) return true;
  return message.reply_to_message?.from?.id === state.bot.id;
}

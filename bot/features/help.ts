import { Composer } from 'grammy';
import type { BotContext } from '../context.ts';

export const HELP_TEXT = [
  'I connect website visitors with your support team.',
  '',
  'New tickets appear in the support group: ✅ Claim one to chat with the visitor here.',
  '• Write here to answer your active ticket; reply to a message of a ticket to answer that one.',
  '• /tickets — your open tickets (switch the active one)',
  '• /queue — tickets waiting for an agent',
  '• /close — close the active ticket (with an optional note)',
  '• /transfer [note] — hand a ticket to a teammate or back to the queue',
].join('\n');

/** /start and /help in the DM. */
export function helpFeature() {
  const feature = new Composer<BotContext>();
  feature.command(['start', 'help'], (ctx) => ctx.reply(HELP_TEXT));
  return feature;
}

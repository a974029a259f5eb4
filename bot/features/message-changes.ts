import { Composer, type MiddlewareFn } from 'grammy';
import type { ReactionType } from 'grammy/types';
import type { BotContext } from '../context.ts';
import type { BotDeps } from '../deps.ts';

/** The emoji a reaction list holds: the one just added if any, else the first; null when none is left. */
export function chosenEmoji(oldReaction: ReactionType[], newReaction: ReactionType[]): string | null {
  const emoji = (list: ReactionType[]) =>
    list.flatMap((reaction) => (reaction.type === 'emoji' ? [reaction.emoji as string] : []));
  const before = new Set(emoji(oldReaction));
  const after = emoji(newReaction);
  return after.find((one) => !before.has(one)) ?? after[0] ?? null;
}

/**
 * Agents changing messages in Telegram, in their chat with the bot or in a ticket's group topic: an edited
 * message the visitor got changes for the visitor too (marked edited); a reaction to a relayed visitor
 * message is shown to the visitor (one per side; taking it back removes it). Anything else — an edit of
 * a message that went nowhere, a reaction to a notice — is left alone. An edited canned reply (posted
 * through inline mode) has its placeholders filled for its ticket, as the relay did when it was sent.
 * `message_reaction` and `edited_message` must be in ALLOWED_UPDATES (create-bot.ts).
 */
export function messageChangesFeature(
  { services }: Pick<BotDeps, 'services'>,
  requireAgent: MiddlewareFn<BotContext>,
) {
  const feature = new Composer<BotContext>();
  const agentOf = (ctx: BotContext) => ctx.agent as NonNullable<BotContext['agent']>;

  feature.on('edited_message', requireAgent, async (ctx) => {
    const edited = ctx.editedMessage;
    let body = edited.text ?? edited.caption;
    if (body === undefined || body.startsWith('/')) return;
    const agentId = agentOf(ctx).id;
    const ref = { chatId: edited.chat.id, tgMessageId: edited.message_id };
    // A canned reply sent through inline mode still has the visitor's placeholders in its Telegram text:
    // they are filled for the message's ticket, as the relay filled them when it was sent.
    if (edited.via_bot?.id === ctx.me.id)
      body = await services.cannedReplies.fillForTelegramMessage(body, ref, agentId);
    const changed = await services.messageChanges.editFromTelegram({ agentId, ...ref, body });
    if (!changed)
      ctx.log.debug({ messageId: edited.message_id }, 'edit of a message the visitor did not get');
  });

  feature.on('message_reaction', requireAgent, async (ctx) => {
    const { chat, message_id, old_reaction, new_reaction } = ctx.messageReaction;
    const changed = await services.messageChanges.reactFromTelegram({
      agentId: agentOf(ctx).id,
      chatId: chat.id,
      tgMessageId: message_id,
      emoji: chosenEmoji(old_reaction, new_reaction),
    });
    if (!changed) ctx.log.debug({ messageId: message_id }, 'reaction to a message that is no visitor’s');
  });

  return feature;
}

import { Composer, type MiddlewareFn } from 'grammy';
import { type BotContext, html } from '../context.ts';
import type { BotDeps } from '../deps.ts';
import { escapeHtml } from '../render/html.ts';
import { telegramOrigin } from '../telegram-origin.ts';
import { replyAboutTicket } from '../ticket-reply.ts';
import { type TicketRouting, ticketOfGroupMessage } from '../ticket-routing.ts';

const USAGE = 'Write the note after the command, e.g. /note Promised a refund by Friday.';

/**
 * Internal notes (issue 13 §5): `/note text` in a ticket's thread — its topic (private topics, group
 * topics), a reply to one of its messages, or (single mode) the active ticket; in the support group also a
 * reply to its card. Stored for agents only (never the visitor); the thread gets a confirmation, which in
 * group topics the whole team sees. A redelivered update stores the note once (by its Telegram message).
 */
export function notesFeature(
  { services }: Pick<BotDeps, 'services'>,
  ticketOf: TicketRouting,
  requireAgent: MiddlewareFn<BotContext>,
) {
  const feature = new Composer<BotContext>();
  const agentOf = (ctx: BotContext) => ctx.agent as NonNullable<BotContext['agent']>;

  const addNote = async (ctx: BotContext, ticketId: number | null, why: string | undefined) => {
    const text = typeof ctx.match === 'string' ? ctx.match.trim() : '';
    if (!ticketId) {
      await ctx.reply(
        escapeHtml(why ?? 'Which ticket? Send /note in its topic or as a reply to its card.'),
        html,
      );
      return;
    }
    if (!text) {
      await ctx.reply(escapeHtml(USAGE), html);
      return;
    }
    const message = ctx.msg as NonNullable<BotContext['msg']>;
    const { note } = await services.notes.add({
      ticketId,
      agentId: agentOf(ctx).id,
      body: text,
      telegram: telegramOrigin(message),
    });
    await replyAboutTicket(
      services,
      ctx,
      ticketId,
      `📝 Note added to <b>#${ticketId}</b> by ${escapeHtml(note.author_name)} — only agents see it, never the visitor.`,
      { ...html, reply_parameters: { message_id: message.message_id, allow_sending_without_reply: true } },
    );
  };

  feature.chatType('private').command('note', requireAgent, async (ctx) => {
    const routed = await ticketOf(ctx, agentOf(ctx).id);
    await addNote(ctx, routed.ticketId, routed.ticketId === null ? routed.why : undefined);
  });

  feature.chatType(['group', 'supergroup']).command('note', requireAgent, async (ctx) => {
    const ticketId = await ticketOfGroupMessage(services, ctx);
    await addNote(ctx, ticketId, undefined);
  });

  return feature;
}

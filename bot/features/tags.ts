import { Composer, type MiddlewareFn } from 'grammy';
import { MAX_TAGS_PER_TICKET, TAG_RULE } from '../../contract/tags-api.ts';
import { InvalidTag } from '../../core/tags.service.ts';
import { type BotContext, html } from '../context.ts';
import type { BotDeps } from '../deps.ts';
import { escapeHtml } from '../render/html.ts';
import { replyAboutTicket } from '../ticket-reply.ts';
import { type TicketRouting, ticketOfGroupMessage } from '../ticket-routing.ts';

const WHICH = 'Which ticket? Send /tag in its topic or as a reply to one of its messages.';

/** `vip, refund  #Billing` → ['vip', 'refund', '#Billing']: words split on spaces and commas. */
const wordsOf = (text: string) => text.split(/[\s,]+/u).filter(Boolean);

const tagsLine = (ticketId: number, tags: string[]) =>
  tags.length
    ? `🏷 <b>#${ticketId}</b> tags: ${tags.map((tag) => `<code>${escapeHtml(tag)}</code>`).join(', ')}`
    : `🏷 <b>#${ticketId}</b> has no tags.`;

/**
 * Tags (issue 13 §5) in a ticket's thread: `/tag vip refund` adds, `/untag vip` removes, `/tag` alone shows
 * them; each answers with the ticket's tags now. The ticket is found as for `/note`: the topic, a reply to
 * one of its messages (in the support group also its card), or (single mode) the active ticket. A bad tag
 * refuses the whole command, with the rule; nothing changes.
 */
export function tagsFeature(
  { services }: Pick<BotDeps, 'services'>,
  ticketOf: TicketRouting,
  requireAgent: MiddlewareFn<BotContext>,
) {
  const feature = new Composer<BotContext>();
  const agentOf = (ctx: BotContext) => ctx.agent as NonNullable<BotContext['agent']>;

  /** Answers the command; about `ticketId` when there is one (a reply to the answer then goes to it). */
  const answer = async (ctx: BotContext, text: string, ticketId?: number) => {
    const message = ctx.msg as NonNullable<BotContext['msg']>;
    const options = {
      ...html,
      reply_parameters: { message_id: message.message_id, allow_sending_without_reply: true },
    };
    if (ticketId) await replyAboutTicket(services, ctx, ticketId, text, options);
    else await ctx.reply(text, options);
  };

  const run = async (ctx: BotContext, command: 'tag' | 'untag', ticketId: number | null, why?: string) => {
    if (!ticketId) {
      await answer(ctx, escapeHtml(why ?? WHICH));
      return;
    }
    const words = wordsOf(typeof ctx.match === 'string' ? ctx.match : '');
    if (!words.length) {
      const tags = await services.tags.list(ticketId);
      const usage =
        command === 'tag'
          ? `Add tags with /tag vip refund (${TAG_RULE}; up to ${MAX_TAGS_PER_TICKET} per ticket).`
          : 'Name the tags to remove, e.g. /untag vip.';
      await answer(ctx, `${tagsLine(ticketId, tags)}\n${escapeHtml(usage)}`, ticketId);
      return;
    }
    try {
      const tags =
        command === 'tag'
          ? await services.tags.add(ticketId, agentOf(ctx).id, words)
          : await services.tags.remove(ticketId, words);
      await answer(ctx, tagsLine(ticketId, tags), ticketId);
    } catch (error) {
      if (!(error instanceof InvalidTag)) throw error;
      // Refused as a whole: say why, and what the tags still are.
      const tags = await services.tags.list(ticketId);
      await answer(
        ctx,
        `${escapeHtml(error.message)}. Nothing changed.\n${tagsLine(ticketId, tags)}`,
        ticketId,
      );
    }
  };

  for (const command of ['tag', 'untag'] as const) {
    feature.chatType('private').command(command, requireAgent, async (ctx) => {
      const routed = await ticketOf(ctx, agentOf(ctx).id);
      await run(ctx, command, routed.ticketId, routed.ticketId === null ? routed.why : undefined);
    });

    feature.chatType(['group', 'supergroup']).command(command, requireAgent, async (ctx) => {
      const ticketId = await ticketOfGroupMessage(services, ctx);
      await run(ctx, command, ticketId);
    });
  }

  return feature;
}

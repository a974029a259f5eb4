import { Composer, type MiddlewareFn } from 'grammy';
import type { InlineQueryResultArticle } from 'grammy/types';
import { hasPlaceholders } from '../../core/placeholders.ts';
import type { BotContext } from '../context.ts';
import type { BotDeps } from '../deps.ts';
import { TEXT_LIMIT } from '../render/telegram-text.ts';

/** Telegram shows at most 50 results per answer. */
const MAX_RESULTS = 50;
/** Snippets change, and what they are filled with depends on the agent: cached briefly, per user. */
const CACHE_SECONDS = 5;
const DESCRIPTION_LENGTH = 120;

const oneLine = (text: string, max: number) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
};

/**
 * Canned replies through inline mode (issue 13 §4): an agent types `@bot refund` in a ticket's thread and
 * picks a snippet; Telegram posts it from the agent, `via_bot`, where they typed, and the relay sends it to
 * the visitor like any agent message.
 *
 * An inline query says who asks but not in which chat or topic, and the agent's tickets can change
 * before a result is picked (another claim, a switch of the active ticket). So the posted message only
 * ever has `{agent_name}` (and the agent's full name) filled when the query is answered; the visitor's
 * placeholders stay in it and the relay fills them for the ticket the message reaches (relay.ts), so one
 * visitor's name or email never goes to another, and the visitor never sees a raw placeholder. When the
 * agent has exactly one ticket, the result's description previews the text filled for it; else it says
 * what will be filled. Only agents of the support group get results.
 */
export function cannedInlineFeature(
  { services }: Pick<BotDeps, 'services'>,
  requireAgent: MiddlewareFn<BotContext>,
) {
  const feature = new Composer<BotContext>();

  feature.on('inline_query', async (ctx) => {
    let answered = false;
    await requireAgent(ctx, async () => {
      answered = true;
      const agentId = (ctx.agent as NonNullable<BotContext['agent']>).id;
      const tickets = await services.desk.agentTickets(agentId);
      const onlyTicket = tickets.length === 1 ? tickets[0]?.id : undefined;
      const replies = await services.cannedReplies.search(ctx.inlineQuery.query, agentId, {
        ticketId: onlyTicket,
        limit: MAX_RESULTS,
      });
      const results = replies
        .filter((reply) => reply.text.length <= TEXT_LIMIT)
        .map((reply): InlineQueryResultArticle => {
          // The preview (filled for the one ticket) is shown, never posted: see above.
          const shown =
            onlyTicket && reply.preview !== null
              ? `for #${onlyTicket} · ${reply.preview}`
              : hasPlaceholders(reply.text)
                ? `names are filled in for the ticket you send it in · ${reply.text}`
                : reply.text;
          return {
            type: 'article',
            id: `canned:${reply.id}`,
            title: reply.category ? `${reply.title} · ${reply.category}` : reply.title,
            description: oneLine(shown, DESCRIPTION_LENGTH),
            input_message_content: { message_text: reply.text, link_preview_options: { is_disabled: true } },
          };
        });
      await ctx.answerInlineQuery(results, { cache_time: CACHE_SECONDS, is_personal: true });
    });
    // Not an agent: nothing to offer (answered, so that the client stops waiting).
    if (!answered) await ctx.answerInlineQuery([], { cache_time: CACHE_SECONDS, is_personal: true });
  });

  return feature;
}

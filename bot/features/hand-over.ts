import { Composer, InlineKeyboard, type MiddlewareFn } from 'grammy';
import { HANDOVER_NOTE_MAX_LENGTH } from '../../contract/agent-limits.ts';
import { assertInTeam, handOverCandidates } from '../../core/hand-over-candidates.ts';
import type { HandOverTarget } from '../../core/ticket.service.ts';
import type { AgentMembership } from '../agent-membership.ts';
import { type BotContext, html } from '../context.ts';
import type { BotDeps } from '../deps.ts';
import { escapeHtml } from '../render/html.ts';
import { truncate } from '../render/telegram-text.ts';
import { parseTicketId } from '../ticket-id.ts';
import type { TicketRouting } from '../ticket-routing.ts';

/** The menu's buttons: one callback format, built and parsed here. */
const PICK = /^handover:(\d{1,10}):(\d{1,10}|queue|cancel)$/;
const pickData = (ticketId: number, choice: number | 'queue' | 'cancel') => `handover:${ticketId}:${choice}`;
/** Telegram shows about this many buttons comfortably; more agents: the Mini App lists them all. */
const MENU_SIZE = 12;

/**
 * The command's ticket number and note: `/transfer Needs a refund` → no number, "Needs a refund";
 * `/transfer 12 Needs a refund` → "12", "Needs a refund". A first word that is not a number is the note's.
 */
const parseCommand = (commandText: string | undefined) => {
  const rest = commandText?.replace(/^\/\S+\s*/, '') ?? '';
  const number = /^#?\d+(?=\s|$)/.exec(rest)?.[0];
  const note = (number ? rest.slice(number.length) : rest).trim() || undefined;
  return { number, note };
};

/**
 * `/transfer [note]` in a ticket's thread (or `/transfer 12 [note]`): a menu of the team — online agents
 * with the ticket's skill first, each with their open tickets — and "Back to queue". The menu replies to
 * the command, so the note is read from it when a choice is made; only the ticket's holder can choose
 * (core checks). Works in the agent's chat and, in group topics, in the ticket's topic.
 */
export function handOverFeature(
  { services }: Pick<BotDeps, 'services'>,
  requireAgent: MiddlewareFn<BotContext>,
  ticketOf: TicketRouting,
  membership: AgentMembership,
) {
  const inTeam = async (tgChatId: number) => (await membership.status(tgChatId)) === 'agent';
  const feature = new Composer<BotContext>();
  const agentOf = (ctx: BotContext) => ctx.agent as NonNullable<BotContext['agent']>;

  // In the agent's chat with the bot, or a ticket's topic of the support group (group-topics mode).
  const inThreads = feature.filter(
    (ctx) => ctx.chat?.type === 'private' || Boolean(ctx.msg?.is_topic_message),
  );

  inThreads.command('transfer', requireAgent, async (ctx) => {
    const agentId = agentOf(ctx).id;
    const { number, note } = parseCommand(ctx.msg?.text);
    const explicit = number === undefined ? undefined : parseTicketId(number);
    if (explicit === null) {
      await ctx.reply(
        `“${truncate(number ?? '', 20)}” is not a ticket number. Send /transfer 12 to hand over #12.`,
      );
      return;
    }
    const routed = explicit ? null : await ticketOf(ctx, agentId);
    const ticketId = explicit ?? routed?.ticketId;
    if (!ticketId) {
      await ctx.reply(
        `Which ticket? Send /transfer in its thread, or /transfer 12. ${routed?.ticketId === null ? routed.why : ''}`.trim(),
      );
      return;
    }
    const ticket = await services.agentConsole.ticketView(ticketId, agentId);
    if (ticket.status === 'closed') return void (await ctx.reply(`#${ticketId} is closed.`));
    if (!ticket.mine)
      return void (await ctx.reply(`Only the agent answering #${ticketId} can hand it over.`));

    const people = (
      await handOverCandidates(services.presence, {
        category: ticket.category,
        fromAgentId: agentId,
        isMember: inTeam,
      })
    ).slice(0, MENU_SIZE);
    const keyboard = new InlineKeyboard();
    for (const person of people) {
      const state = { online: '🟢', away: '🟡', offline: '⚪' }[person.state];
      keyboard
        .text(
          `${state} ${truncate(person.name, 40)}${person.skilled ? '' : ' (other skills)'} · ${person.openTickets} open`,
          pickData(ticketId, person.id),
        )
        .row();
    }
    keyboard
      .text('↩️ Back to queue', pickData(ticketId, 'queue'))
      .text('Cancel', pickData(ticketId, 'cancel'));
    if (note && note.length > HANDOVER_NOTE_MAX_LENGTH) {
      await ctx.reply(`The note is too long: at most ${HANDOVER_NOTE_MAX_LENGTH} characters.`);
      return;
    }
    await ctx.reply(
      `Hand <b>#${ticketId}</b> to whom?` +
        (note
          ? ` Your note goes with it: <i>${escapeHtml(truncate(note, 200))}</i>`
          : ' (add a note after /transfer)') +
        (people.length ? '' : '\nNobody else is in the team yet.'),
      {
        ...html,
        reply_markup: keyboard,
        reply_parameters: { message_id: ctx.msg?.message_id ?? 0, allow_sending_without_reply: true },
      },
    );
  });

  feature.callbackQuery(PICK, requireAgent, async (ctx) => {
    const ticketId = parseTicketId(ctx.match[1] ?? '');
    const choice = ctx.match[2] ?? 'cancel';
    if (!ticketId) return ctx.answerCallbackQuery({ text: 'This button is no longer active.' });
    if (choice === 'cancel') {
      // Only the agent answering it dismisses the menu (in a group topic the whole team sees it).
      if (!(await services.agentConsole.ticketView(ticketId, agentOf(ctx).id)).mine) {
        return ctx.answerCallbackQuery({ text: `Only the agent answering #${ticketId} can choose.` });
      }
      await ctx.answerCallbackQuery();
      await ctx.editMessageText(`#${ticketId} stays with you.`);
      return;
    }
    const target: HandOverTarget =
      choice === 'queue' ? { to: 'queue' } : { to: 'agent', agentId: Number(choice) };
    const { note } = parseCommand(ctx.callbackQuery.message?.reply_to_message?.text);
    if (target.to === 'agent') await assertInTeam(services.agents, target.agentId, inTeam);
    // Refusals (not yours any more, closed, unknown agent) are answered by the bot's error boundary.
    const ticket = await services.tickets.handOver(ticketId, agentOf(ctx).id, target, note);
    const where = ticket.agent_name ? `to ${ticket.agent_name}` : 'back to the queue';
    await ctx.answerCallbackQuery({ text: `#${ticketId} went ${where}.` });
    await ctx.editMessageText(
      `↪️ <b>#${ticketId}</b> went ${escapeHtml(where)}.${note ? ' Your note went with it.' : ''}`,
      html,
    );
  });

  return feature;
}

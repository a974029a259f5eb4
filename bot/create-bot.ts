import { autoRetry } from '@grammyjs/auto-retry';
import { conversations, createConversation } from '@grammyjs/conversations';
import { sequentialize } from '@grammyjs/runner';
import { Bot } from 'grammy';
import { createAgentGate } from './agent-gate.ts';
import { createAgentMembership } from './agent-membership.ts';
import type { BotContext } from './context.ts';
import type { BotDeps } from './deps.ts';
import { cannedInlineFeature } from './features/canned-inline.ts';
import { claimFeature } from './features/claim.ts';
import { CLOSE_CONVERSATION, closeFeature, closeTicketConversation } from './features/close.ts';
import { groupTopicsFeature } from './features/group-topics.ts';
import { handOverFeature } from './features/hand-over.ts';
import { helpFeature } from './features/help.ts';
import { messageChangesFeature } from './features/message-changes.ts';
import { notesFeature } from './features/notes.ts';
import { offersFeature } from './features/offers.ts';
import { presenceFeature } from './features/presence.ts';
import { queueFeature } from './features/queue.ts';
import { relayFeature } from './features/relay.ts';
import { setupFeature } from './features/setup.ts';
import { switchFeature } from './features/switch.ts';
import { tagsFeature } from './features/tags.ts';
import { ignoreHarmlessErrors } from './harmless-errors.ts';
import {
  answerUnknownCallbacks,
  domainErrorAnswers,
  endUpdateOnTelegramRefusal,
  handleOnce,
  updateContext,
} from './middleware.ts';
import { createConversationStorage } from './storage/conversation-storage.ts';
import { countRateLimits } from './telegram-metrics.ts';
import { createTelegramPacing } from './telegram-pacing.ts';
import { createTicketRouting } from './ticket-routing.ts';
import type { TicketThreadMode } from './ticket-threads.ts';

/** The update types the bot handles (also given to setWebhook / getUpdates). */
export const ALLOWED_UPDATES = [
  'message',
  'edited_message',
  'callback_query',
  'my_chat_member',
  'message_reaction',
  // Canned replies through inline mode (@BotFather /setinline).
  'inline_query',
] as const;

/**
 * The grammY bot: one Composer per feature, outbound calls through auto-retry and the pacing. Also
 * returns the support group's membership check, which the Mini App's API shares (one cache).
 * `ticketThreads`: where tickets' conversations live (ticket-threads.ts), chosen at start.
 */
export function createBot(deps: BotDeps & { ticketThreads: TicketThreadMode }) {
  const bot = new Bot<BotContext>(deps.token, { client: { apiRoot: deps.apiRoot } });
  bot.api.config.use(ignoreHarmlessErrors);
  // Inside auto-retry (installed before it): every 429 Telegram answers is counted, retried ones too.
  if (deps.metrics) bot.api.config.use(countRateLimits(deps.metrics));
  // The pacing is installed first, so it sits inside auto-retry (the last installed runs first): every
  // attempt, retries included, is paced by it; outside, a retry would go out unpaced and the next message
  // right behind it (a 429 for each message of a busy chat).
  if (deps.throttle) bot.api.config.use(createTelegramPacing());
  // 429s wait out retry_after (up to 30 s), 5xx and network errors are retried a few times; beyond that
  // the caller (a durable job) retries later.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 30, rethrowHttpErrors: false }));

  const membership = createAgentMembership({ api: bot.api, supportGroup: deps.supportGroup });
  const { requireAgent } = createAgentGate({ services: deps.services, membership });

  bot.use(updateContext(deps));
  // Updates of one user run one after another (the runner handles others concurrently): two agents'
  // claims of one card do race, and core's atomic claim picks the winner.
  bot.use(sequentialize((ctx) => (ctx.from ? String(ctx.from.id) : undefined)));
  bot.use(handleOnce(deps));
  bot.use(endUpdateOnTelegramRefusal);
  bot.use(domainErrorAnswers);
  bot.use(
    // Conversations happen in the agent's DM only: group updates never reach them.
    conversations<BotContext, BotContext>({ storage: createConversationStorage(deps.orm.em) }),
  );
  bot.use(createConversation(closeTicketConversation(deps), CLOSE_CONVERSATION));

  bot.use(setupFeature(deps));
  bot.use(claimFeature(deps, requireAgent, deps.ticketThreads));
  bot.use(offersFeature(deps, requireAgent, deps.ticketThreads));
  // Edits and reactions of agents, in their chats and in group topics.
  bot.use(messageChangesFeature(deps, requireAgent));

  const ticketOf = createTicketRouting({ services: deps.services, mode: deps.ticketThreads });
  // /online, /away, /offline and /priority: before the DM relay and the group topics, which take other text.
  bot.use(presenceFeature(deps, ticketOf, requireAgent));
  // `/note` in a ticket's thread (before the relay and the group topics, which take other text) and
  // canned replies through inline mode.
  bot.use(notesFeature(deps, ticketOf, requireAgent));
  // `/tag` and `/untag` in a ticket's thread (issue 13 §5).
  bot.use(tagsFeature(deps, ticketOf, requireAgent));
  bot.use(cannedInlineFeature(deps, requireAgent));
  // `/transfer` in the agent's chat and in group topics (before the relay, which passes commands on).
  bot.use(handOverFeature(deps, requireAgent, ticketOf, membership));
  const dm = bot.chatType('private').use(requireAgent);
  const { feature: switching, switcher } = switchFeature(deps);
  dm.use(helpFeature());
  dm.use(switching);
  dm.use(queueFeature(deps));
  dm.use(closeFeature(deps, ticketOf));
  const relay = relayFeature(deps, switcher, ticketOf);
  dm.use(relay);
  if (deps.ticketThreads === 'group-topics') bot.use(groupTopicsFeature(deps, requireAgent, relay));
  bot.use(answerUnknownCallbacks);

  // Failed updates are logged where they are handled: by polling (update-polling.ts, which retries them)
  // or by the webhook route's error boundary (Telegram redelivers them).
  return { bot, membership };
}

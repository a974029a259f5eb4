import { autoRetry } from '@grammyjs/auto-retry';
import { conversations, createConversation } from '@grammyjs/conversations';
import { sequentialize } from '@grammyjs/runner';
import { apiThrottler } from '@grammyjs/transformer-throttler';
import { Bot, type Transformer } from 'grammy';
import { createAgentGate } from './agent-gate.ts';
import type { BotContext } from './context.ts';
import type { BotDeps } from './deps.ts';
import { claimFeature } from './features/claim.ts';
import { CLOSE_CONVERSATION, closeFeature, closeTicketConversation } from './features/close.ts';
import { helpFeature } from './features/help.ts';
import { queueFeature } from './features/queue.ts';
import { relayFeature } from './features/relay.ts';
import { setupFeature } from './features/setup.ts';
import { switchFeature } from './features/switch.ts';
import { ignoreHarmlessErrors } from './harmless-errors.ts';
import { domainErrorAnswers, handleOnce, updateContext } from './middleware.ts';
import { createConversationStorage } from './storage/conversation-storage.ts';

/** The update types the bot handles (also given to setWebhook / getUpdates). */
export const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member'] as const;

/** Methods that count against Telegram's message limits (30/s overall, 1/s per chat, 20/min per group). */
const MESSAGE_METHODS = new Set([
  'sendMessage',
  'sendPhoto',
  'sendDocument',
  'copyMessage',
  'forwardMessage',
  'editMessageText',
  'editMessageCaption',
  'editMessageReplyMarkup',
]);

/** The throttler for messages only: reads such as getChatMember or answerCallbackQuery go straight through. */
function throttleMessages(): Transformer {
  const throttler = apiThrottler();
  return (prev, method, payload, signal) =>
    MESSAGE_METHODS.has(method) ? throttler(prev, method, payload, signal) : prev(method, payload, signal);
}

/** The grammY bot: one Composer per feature, outbound calls through auto-retry and the throttler. */
export function createBot(deps: BotDeps) {
  const bot = new Bot<BotContext>(deps.token, { client: { apiRoot: deps.apiRoot } });
  bot.api.config.use(ignoreHarmlessErrors);
  // 429s wait out retry_after (up to 30 s), 5xx and network errors are retried a few times; beyond that
  // the caller (a durable job) retries later.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 30, rethrowHttpErrors: false }));
  if (deps.throttle) bot.api.config.use(throttleMessages());

  const { requireAgent } = createAgentGate(deps);

  bot.use(updateContext(deps));
  // Updates of one user run one after another (the runner handles others concurrently): two agents'
  // claims of one card do race, and core's atomic claim picks the winner.
  bot.use(sequentialize((ctx) => (ctx.from ? String(ctx.from.id) : undefined)));
  bot.use(handleOnce(deps));
  bot.use(domainErrorAnswers);
  bot.use(
    conversations<BotContext, BotContext>({
      storage: {
        type: 'key',
        adapter: createConversationStorage(deps.orm.em),
        // Conversations happen in the agent's DM only: group updates never reach them.
        getStorageKey: (ctx) =>
          ctx.chat?.type === 'private' && ctx.from ? `agent:${ctx.from.id}` : undefined,
      },
    }),
  );
  bot.use(createConversation(closeTicketConversation(deps), CLOSE_CONVERSATION));

  bot.use(setupFeature(deps));
  bot.use(claimFeature(deps, requireAgent));

  const dm = bot.chatType('private').use(requireAgent);
  const { feature: switching, switcher } = switchFeature(deps);
  dm.use(helpFeature());
  dm.use(switching);
  dm.use(queueFeature(deps));
  dm.use(closeFeature(deps));
  dm.use(relayFeature(deps, switcher));

  bot.catch((error) => {
    const ctx = error.ctx as BotContext;
    (ctx.log ?? deps.logger).error({ err: error.error, updateId: ctx.update.update_id }, 'update failed');
  });
  return bot;
}

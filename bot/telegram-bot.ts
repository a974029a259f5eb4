import { RequestContext } from '@mikro-orm/core';
import { type Api, webhookCallback } from 'grammy';
import type { OutboundJob } from '../core/outbox.ts';
import type { ExclusiveLock } from '../db/exclusive-lock.ts';
import { type ExclusiveRunner, runExclusively } from '../db/exclusive-work.ts';
import { ALLOWED_UPDATES, createBot } from './create-bot.ts';
import { createOutboundHandler } from './delivery/outbound-handler.ts';
import { createTicketPlaces } from './delivery/ticket-places.ts';
import { createTypingIndicator } from './delivery/typing-indicator.ts';
import type { BotDeps } from './deps.ts';
import { createProcessedUpdates } from './storage/processed-updates.ts';
import { createTelegramProbe } from './telegram-probe.ts';
import { chooseTicketThreads, type TicketThreadMode } from './ticket-threads.ts';
import { startPolling } from './update-polling.ts';

export type TelegramBot = Awaited<ReturnType<typeof startTelegramBot>>;

/**
 * The bot at run time: commands registered, updates by long polling (`@grammyjs/runner`) or by webhook
 * (`handleWebhook` for the HTTP route), and `deliver` for the durable outbound jobs.
 */
/** How often handled update ids older than a day are forgotten (besides at start). */
const PRUNE_INTERVAL_MS = 3600_000;

export async function startTelegramBot(
  deps: BotDeps & {
    mode: 'polling' | 'webhook';
    /** Polling: the lock that lets one instance at a time poll Telegram (two would conflict). */
    pollingLock: ExclusiveLock;
    webhookSecret?: string;
    afterHoursMinutes: number;
    /** TICKET_THREADS; unset: private topics when Telegram allows them, else single. */
    ticketThreads?: TicketThreadMode;
  },
) {
  // getMe bounded and outside auto-retry (which retries network errors silently, for ever): the caller's
  // connect loop retries and says why in the log and on /readyz.
  const me = await createTelegramProbe(deps).getMe();
  const ticketThreads = chooseTicketThreads(me, deps.ticketThreads, deps.logger);
  const { bot, membership } = createBot({ ...deps, ticketThreads });
  bot.botInfo = me;
  const processedUpdates = createProcessedUpdates(deps.orm.em.fork());
  // Only handled updates are forgotten: the stored ones not handled yet stay for polling's start below.
  const { staleUnhandled } = await processedUpdates.prune();
  // And again every hour, so that a process running for weeks does not keep every id it ever handled.
  const pruning = setInterval(() => {
    createProcessedUpdates(deps.orm.em.fork())
      .prune()
      .catch((error: unknown) =>
        deps.logger.warn({ err: error }, 'could not forget old Telegram update ids'),
      );
  }, PRUNE_INTERVAL_MS);
  pruning.unref();
  if (staleUnhandled) {
    deps.logger.warn(
      { count: staleUnhandled },
      deps.mode === 'polling'
        ? 'Telegram updates fetched over a day ago were never handled; handling them now'
        : 'Telegram updates fetched by polling over a day ago were never handled; they are handled when the bot next starts with BOT_MODE=polling',
    );
  }
  deps.logger.info(
    { username: bot.botInfo.username, mode: deps.mode },
    `Telegram bot @${bot.botInfo.username} connected`,
  );
  await logSupportGroupSetup(deps);

  await bot.api.setMyCommands(
    [
      { command: 'tickets', description: 'Your open tickets — switch the active one' },
      { command: 'queue', description: 'Tickets waiting for an agent' },
      { command: 'close', description: 'Close the active ticket' },
      { command: 'transfer', description: 'Hand a ticket to a teammate or back to the queue' },
      { command: 'online', description: 'Set yourself online' },
      { command: 'away', description: 'Set yourself away' },
      { command: 'offline', description: 'Set yourself offline' },
      { command: 'priority', description: 'Set the ticket’s priority: high, normal or low' },
      { command: 'note', description: 'An internal note on the ticket (agents only)' },
      { command: 'tag', description: 'Tag the ticket (or show its tags)' },
      { command: 'untag', description: 'Remove a tag from the ticket' },
      { command: 'help', description: 'How this works' },
    ],
    { scope: { type: 'all_private_chats' } },
  );
  await bot.api.setMyCommands(
    [
      { command: 'setup', description: 'Make this group the support group' },
      { command: 'note', description: 'An internal note on this topic’s ticket (agents only)' },
      { command: 'transfer', description: 'Hand this topic’s ticket to a teammate or the queue' },
      { command: 'tag', description: 'Tag this topic’s ticket (or show its tags)' },
      { command: 'untag', description: 'Remove a tag from this topic’s ticket' },
    ],
    {
      scope: { type: 'all_group_chats' },
    },
  );
  await setMenuButton(bot.api, deps);

  // Polling: the instance that holds the lock polls (and handles what a predecessor stored but did not
  // handle); the others deliver jobs and serve HTTP, and take over when it stops or dies.
  let polling: ExclusiveRunner | undefined;
  if (deps.mode === 'polling') {
    await bot.api.deleteWebhook();
    polling = runExclusively({
      lock: deps.pollingLock,
      what: 'polling Telegram',
      logger: deps.logger,
      work: async () => {
        const updates = startPolling({
          bot,
          updates: processedUpdates,
          allowedUpdates: ALLOWED_UPDATES,
          logger: deps.logger,
        });
        await updates.start();
        return { stop: () => updates.stop(), ended: updates.ended() };
      },
    });
  }

  const handleUpdate = webhookCallback(bot, 'koa');
  const deliverJob = createOutboundHandler({
    ...deps,
    api: bot.api,
    ticketThreads,
    botUsername: me.username,
  });
  const showVisitorTyping = createTypingIndicator({
    api: bot.api,
    orm: deps.orm,
    services: deps.services,
    places: createTicketPlaces({
      api: bot.api,
      services: deps.services,
      supportGroup: deps.supportGroup,
      mode: ticketThreads,
      logger: deps.logger,
    }),
    mode: ticketThreads,
    logger: deps.logger,
  });

  return {
    bot,
    username: bot.botInfo.username,
    ticketThreads,

    /** How this instance gets updates: by webhook, polling, or standing by while another instance polls. */
    updates: (): 'webhook' | 'polling' | 'standby' =>
      polling === undefined ? 'webhook' : polling.running ? 'polling' : 'standby',

    /** Koa handler for POST /api/telegram/webhook (the route checks the secret header first). */
    handleWebhook: handleUpdate,

    /** Points Telegram at `url` with the secret and the update types used. */
    async setWebhook(url: string) {
      await bot.api.setWebhook(url, {
        secret_token: deps.webhookSecret,
        allowed_updates: [...ALLOWED_UPDATES],
      });
    },

    /** Whether a Telegram user is an agent (a member of the support group); cached, shared with the bot. */
    agentStatus: (userId: number) => membership.status(userId),

    /** Whether a Telegram user administers the support group (the team's admins); cached like membership. */
    isGroupAdmin: (userId: number) => membership.isAdmin(userId),

    /** The event bus listener for what the bot shows live (the visitor typing); never throws. */
    onDomainEvent: showVisitorTyping,

    /** Delivers one durable outbound job (in its own entity-manager context). */
    deliver: (job: OutboundJob) => RequestContext.create(deps.orm.em, () => deliverJob(job)),

    async stop() {
      clearInterval(pruning);
      await polling?.stop();
    },
  };
}

/**
 * Tells the operator how to bind the support group, or move it: `/setup CODE` in the group, with the
 * one-time code from settings (the same on every instance). The log is where the code is shown, so that
 * only someone with access to the server can bind a group.
 */
async function logSupportGroupSetup({ supportGroup, logger }: BotDeps) {
  if (supportGroup.fixed) {
    logger.info({ chatId: await supportGroup.chatId() }, 'Support group set by SUPPORT_GROUP_CHAT_ID');
    return;
  }
  const [chatId, code] = await Promise.all([supportGroup.chatId(), supportGroup.setupCode()]);
  if (chatId === null) {
    logger.warn(`No support group yet: add the bot to your team's group and send /setup ${code} there`);
  } else {
    logger.info({ chatId }, `Support group bound. To move it to another group, send /setup ${code} there`);
  }
}

/**
 * The Mini App as the bot's menu button in every private chat. Telegram accepts only https Web App URLs;
 * a refusal is logged and does not keep the bot from running.
 */
async function setMenuButton(api: Api, deps: BotDeps) {
  if (!deps.miniappUrl) {
    deps.logger.info('No menu button for the Mini App: MINIAPP_URL (or PUBLIC_URL) must be https');
    return;
  }
  try {
    await api.setChatMenuButton({
      menu_button: { type: 'web_app', text: 'Queue', web_app: { url: deps.miniappUrl } },
    });
  } catch (error) {
    deps.logger.warn({ err: error }, 'Telegram refused the Mini App menu button');
  }
}

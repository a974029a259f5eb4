import type { WebhookInfo } from 'grammy/types';
import { telegramFailureReason } from '../bot/telegram-probe.ts';
import type { DeliveryStatus } from '../core/delivery-backlog.ts';
import type { ReadinessComponent, ReadinessComponents } from '../server/routes/readiness.ts';
import type { TelegramStatus } from './telegram-status.ts';

/** A component check that takes longer is reported as failed; /readyz never hangs on one. */
const CHECK_TIMEOUT_MS = 2_000;
/** getWebhookInfo is a call to Telegram: asked at most this often however often /readyz is probed. */
const WEBHOOK_INFO_CACHE_MS = 10_000;

export type ReadinessDeps = {
  telegram: TelegramStatus;
  /** How long the bot may be connecting before it counts as a problem. */
  telegramGraceSeconds: number;
  /**
   * How the connected bot gets updates: `webhook`, `polling` (this instance), or `standby` (polling
   * mode: another instance holds the polling lock, or this one cannot take it right now).
   */
  telegramUpdates: () => 'webhook' | 'polling' | 'standby' | undefined;
  supportGroupChatId: () => Promise<number | null>;
  deliveries: () => Promise<DeliveryStatus>;
  deliveryDelayAlertSeconds: number;
  /** Webhook mode only. */
  webhookInfo?: () => Promise<WebhookInfo>;
};

/** Without a bot token only the visitor side runs: readiness is the database's (checked by the route). */
export const telegramNotConfigured: ReadinessComponents = async () => ({
  telegram: { ok: true, state: 'not configured' },
});

/**
 * The bot's side of /readyz: Telegram's connection, the support group, the delivery backlog and, in
 * webhook mode, what Telegram says about the webhook. Not ready when agents would miss work: Telegram
 * refused the token or stayed unreachable past the grace period, no group to post tickets in, or
 * deliveries waiting longer than the alert threshold.
 */
export function botReadiness(deps: ReadinessDeps): ReadinessComponents {
  const webhookInfo = deps.webhookInfo && cachedFor(WEBHOOK_INFO_CACHE_MS, deps.webhookInfo);
  return async () => {
    const [supportGroup, deliveries, webhook] = await Promise.all([
      bounded(supportGroupComponent(deps)),
      bounded(deliveriesComponent(deps)),
      webhookInfo ? bounded(webhookComponent(webhookInfo)) : undefined,
    ]);
    return {
      telegram: telegramComponent(deps),
      support_group: supportGroup,
      deliveries,
      ...(webhook ? { webhook } : {}),
    };
  };
}

function telegramComponent({
  telegram,
  telegramGraceSeconds,
  telegramUpdates,
}: ReadinessDeps): ReadinessComponent {
  const status = telegram.current();
  const since = status.since.toISOString();
  switch (status.state) {
    case 'connected':
      return { ok: true, state: 'connected', since, username: status.username, updates: telegramUpdates() };
    case 'refused':
      return {
        ok: false,
        state: 'refused',
        since,
        reason: status.reason,
        problem: `Telegram refused TELEGRAM_BOT_TOKEN (${status.reason}): check the token from @BotFather`,
      };
    case 'connecting': {
      const connectingSeconds = (Date.now() - status.since.getTime()) / 1000;
      const ok = connectingSeconds <= telegramGraceSeconds;
      return {
        ok,
        state: 'connecting',
        since,
        reason: status.reason,
        next_retry_at: status.nextRetryAt?.toISOString() ?? null,
        attempts: status.attempts,
        ...(ok ? {} : { problem: `cannot reach Telegram (${status.reason ?? 'no answer yet'})` }),
      };
    }
  }
}

async function supportGroupComponent({ supportGroupChatId }: ReadinessDeps): Promise<ReadinessComponent> {
  const chatId = await supportGroupChatId();
  return chatId === null
    ? {
        ok: false,
        bound: false,
        problem:
          "no support group bound: add the bot to your team's group and send /setup with the code from the server log",
      }
    : { ok: true, bound: true, chat_id: chatId };
}

async function deliveriesComponent(deps: ReadinessDeps): Promise<ReadinessComponent> {
  const status = await deps.deliveries();
  return {
    ok: !status.delayed,
    waiting: status.waiting,
    oldest_seconds: status.oldestSeconds,
    alert_after_seconds: deps.deliveryDelayAlertSeconds,
    ...(status.delayed
      ? { problem: `${status.waiting} Telegram deliveries waiting, the oldest for ${status.oldestSeconds} s` }
      : {}),
  };
}

/**
 * In webhook mode Telegram pushes updates; without a webhook URL nothing arrives, so that is a problem.
 * Telegram's last delivery error is shown as it is (it may be old). If Telegram cannot be asked, the
 * telegram component already says so: this one stays ok.
 */
async function webhookComponent(webhookInfo: () => Promise<WebhookInfo>): Promise<ReadinessComponent> {
  let info: WebhookInfo;
  try {
    info = await webhookInfo();
  } catch (error) {
    return { ok: true, error: telegramFailureReason(error) };
  }
  return {
    ok: info.url !== '',
    url_set: info.url !== '',
    pending_update_count: info.pending_update_count,
    last_error_message: info.last_error_message ?? null,
    last_error_at: info.last_error_date ? new Date(info.last_error_date * 1000).toISOString() : null,
    ...(info.url === ''
      ? { problem: 'no webhook set: POST /api/setup/telegram-webhook?webhook_url=… (see README)' }
      : {}),
  };
}

/** The check's component, or a failed one when it throws or takes longer than CHECK_TIMEOUT_MS. */
async function bounded(check: Promise<ReadinessComponent>): Promise<ReadinessComponent> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<ReadinessComponent>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, problem: `no answer within ${CHECK_TIMEOUT_MS / 1000} s` }),
      CHECK_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([
      check.catch((error: unknown) => ({
        ok: false,
        problem: error instanceof Error ? error.message : String(error),
      })),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** `load`'s answer (or failure) reused for `ms`; concurrent callers share one call. */
export function cachedFor<T>(ms: number, load: () => Promise<T>): () => Promise<T> {
  let cached: { value: Promise<T>; until: number } | undefined;
  return () => {
    if (!cached || Date.now() >= cached.until) {
      const value = load();
      cached = { value, until: Number.POSITIVE_INFINITY };
      const expire = () => {
        if (cached?.value === value) cached.until = Date.now() + ms;
      };
      value.then(expire, expire);
    }
    return cached.value;
  };
}

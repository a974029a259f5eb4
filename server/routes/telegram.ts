import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import type { AppContext, AppState } from '../context.ts';
import { HttpError } from '../http-error.ts';
import { adminAuthMiddleware } from '../middleware/admin-auth.ts';
import { secretMatches } from '../secrets.ts';

export type TelegramEndpoint = {
  /** False while the bot has not reached Telegram yet (it keeps trying). */
  connected: () => boolean;
  /** grammY's webhook handler for Koa. */
  handleWebhook: (ctx: Koa.Context) => Promise<unknown>;
  setWebhook: (url: string) => Promise<void>;
  webhookSecret?: string;
};

/** Where Telegram posts updates: the route below (under /api). create-app leaves its body to it. */
export const TELEGRAM_WEBHOOK_PATH = '/api/telegram/webhook';

/**
 * Telegram's updates: whatever size Telegram sends (long texts with entities, a reply's quoted message).
 * Read only after the secret header matched, so nobody else can make the server parse a large body.
 */
const telegramUpdateBody = bodyParser({ enableTypes: ['json'], jsonLimit: '10mb', encoding: 'utf-8' });

const notConnected = () =>
  new HttpError(503, 'service_unavailable', 'The bot has not reached Telegram yet; try again later');

const webhookQuerySchema = z.object({ webhook_url: z.url({ protocol: /^https$/ }) });
/** What grammY relies on before it looks at an update: an object with a numeric update_id. */
const updateSchema = z.looseObject({ update_id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) });

/**
 * `POST /api/telegram/webhook` (Telegram → bot; the secret header is required) and
 * `POST /api/setup/telegram-webhook?webhook_url=…` (bearer ADMIN_TOKEN; calls setWebhook).
 */
export function telegramRoutes({
  telegram,
  adminToken,
}: {
  telegram?: TelegramEndpoint;
  adminToken?: string;
}) {
  const router = new Router<AppState, AppContext>({ prefix: '/api' });

  router.post('/telegram/webhook', async (ctx) => {
    if (!telegram?.webhookSecret)
      throw new HttpError(404, 'not_found', 'The Telegram webhook is not enabled');
    if (!secretMatches(ctx.get('X-Telegram-Bot-Api-Secret-Token') || undefined, telegram.webhookSecret)) {
      throw new HttpError(403, 'forbidden', 'Missing or wrong X-Telegram-Bot-Api-Secret-Token');
    }
    if (!telegram.connected()) throw notConnected();
    await telegramUpdateBody(ctx, async () => {});
    if (!updateSchema.safeParse(ctx.request.body).success)
      throw new HttpError(400, 'validation_failed', 'body: must be a Telegram update');
    await telegram.handleWebhook(ctx as Koa.Context);
  });

  router.post('/setup/telegram-webhook', adminAuthMiddleware(adminToken), async (ctx) => {
    if (!telegram)
      throw new HttpError(409, 'conflict', 'No Telegram bot is configured (set TELEGRAM_BOT_TOKEN)');
    if (!telegram.connected()) throw notConnected();
    const query = webhookQuerySchema.safeParse(ctx.query);
    if (!query.success) throw new HttpError(400, 'validation_failed', 'webhook_url: must be an https URL');
    await telegram.setWebhook(query.data.webhook_url);
    ctx.body = { ok: true, webhook_url: query.data.webhook_url };
  });

  return router;
}

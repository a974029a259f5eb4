import { Api, GrammyError, HttpError } from 'grammy';
import type { UserFromGetMe, WebhookInfo } from 'grammy/types';

/**
 * How long the connect check (getMe) may take. Telegram answers it in well under a second; a host that
 * swallows packets would otherwise hold the first attempt for minutes (grammY's default is 500 s) and the
 * log would say nothing. A slow network only costs a retry.
 */
export const CONNECT_TIMEOUT_SECONDS = 4;
/** getWebhookInfo for /readyz: a health check must answer quickly even when Telegram does not. */
const WEBHOOK_INFO_TIMEOUT_SECONDS = 2;

export type TelegramProbe = ReturnType<typeof createTelegramProbe>;

/**
 * Single, bounded Bot API calls that check the connection itself. They go around the bot's auto-retry
 * (which retries network errors forever, silently): the caller decides when to try again and says so.
 */
export function createTelegramProbe({ token, apiRoot }: { token: string; apiRoot: string }) {
  const connectApi = new Api(token, { apiRoot, timeoutSeconds: CONNECT_TIMEOUT_SECONDS });
  const infoApi = new Api(token, { apiRoot, timeoutSeconds: WEBHOOK_INFO_TIMEOUT_SECONDS });
  return {
    getMe: (): Promise<UserFromGetMe> => connectApi.getMe(),
    getWebhookInfo: (): Promise<WebhookInfo> => infoApi.getWebhookInfo(),
  };
}

/**
 * Telegram does not accept the bot's token: 401 for a revoked or mistyped one, 404 for one that is not a
 * token at all. Retrying cannot help; the operator has to fix TELEGRAM_BOT_TOKEN.
 */
export const isTokenRefusal = (error: unknown): error is GrammyError =>
  error instanceof GrammyError &&
  (error.error_code === 401 || (error.error_code === 404 && error.method === 'getMe'));

/**
 * Why a call to Telegram failed, in a few words for the log and /readyz: the network error's code
 * (ECONNREFUSED, ENOTFOUND…), "no answer within N s", or Telegram's status and description. Never the
 * request URL: it contains the token.
 */
export function telegramFailureReason(error: unknown): string {
  if (error instanceof GrammyError) return `${error.error_code} ${error.description}`;
  if (error instanceof HttpError) {
    const cause = error.error as { code?: unknown; message?: unknown } | undefined;
    if (typeof cause?.code === 'string') return cause.code;
    const message = String(cause?.message ?? error.message);
    const timeout = /timed out after (\d+) seconds?/.exec(message);
    if (timeout) return `no answer within ${timeout[1]} s`;
    return withoutToken(message);
  }
  return withoutToken(error instanceof Error ? error.message : String(error));
}

/** Bot API URLs carry the token (`/bot123:ABC/getMe`): cut it out of any text that may show one. */
const withoutToken = (text: string) => text.replace(/bot\d+:[\w-]+/g, 'bot<token>');

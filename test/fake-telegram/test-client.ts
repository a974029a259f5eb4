import { GrammyError } from 'grammy';
import type { FakeTelegram } from './fake-telegram.ts';

/** Test helpers for the fake's own tests: raw calls and the Bot API error a grammY call fails with. */

/** A raw Bot API call with fetch (JSON body): `{ status, body }`. */
export async function rawCall(fake: FakeTelegram, method: string, params: Record<string, unknown> = {}) {
  const response = await fetch(`${fake.apiRoot}/bot${fake.token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field.
  return { status: response.status, body: (await response.json()) as any };
}

/** The Bot API error a grammY call fails with (throws when it succeeds or fails otherwise). */
export async function apiError(promise: Promise<unknown>): Promise<GrammyError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof GrammyError)) throw new Error(`expected a GrammyError, got ${String(error)}`);
  return error;
}

/** `[error_code, description]` of a failing grammY call, for one-line expectations. */
export async function refusal(promise: Promise<unknown>): Promise<[number, string]> {
  const error = await apiError(promise);
  return [error.error_code, error.description];
}

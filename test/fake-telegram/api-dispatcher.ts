import { ApiError } from './api-error.ts';
import type { CallLog } from './call-log.ts';
import type { FakeState } from './fake-state.ts';
import { type Faults, SENDING_METHODS } from './faults.ts';
import { findMethod } from './methods/index.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { recordableParams } from './request-params.ts';
import type { Params, UploadedFile } from './types.ts';

/** `status: 0` means: give no answer (a hung request); the caller drops the connection. */
export interface DispatchOutcome {
  status: number;
  body?: unknown;
}

export interface DispatchRequest {
  method: string;
  params: Params;
  uploads: Map<string, UploadedFile>;
  /** Aborts when the client goes away. */
  clientSignal: AbortSignal;
  viaWebhookReply?: boolean;
}

const COUNTED_BY_LIMITS = new Set(SENDING_METHODS.map((name) => name.toLowerCase()));

/** Runs one Bot API call: faults first, then flood limits, then the method; records the call. */
export class ApiDispatcher {
  private readonly state: FakeState;
  private readonly faults: Faults;
  private readonly limiter: RateLimiter;
  private readonly log: CallLog;
  private readonly closing: AbortSignal;

  constructor(state: FakeState, faults: Faults, limiter: RateLimiter, log: CallLog, closing: AbortSignal) {
    this.state = state;
    this.faults = faults;
    this.limiter = limiter;
    this.log = log;
    this.closing = closing;
  }

  async call(request: DispatchRequest): Promise<DispatchOutcome> {
    const at = Date.now();
    const found = findMethod(request.method);
    const method = found?.name ?? request.method;
    const params = recordableParams(request.params, request.uploads);
    const signal = AbortSignal.any([request.clientSignal, this.closing]);
    const record = (status: number, fields: { result?: unknown; error?: ApiError; description?: string }) => {
      this.log.record({
        method,
        params,
        at,
        status,
        ok: status === 200,
        ...(fields.error ? { errorCode: fields.error.errorCode, description: fields.error.description } : {}),
        ...(fields.error?.parameters?.retry_after ? { retryAfter: fields.error.parameters.retry_after } : {}),
        ...(fields.description ? { description: fields.description } : {}),
        ...(status === 200 ? { result: fields.result } : {}),
        ...(request.viaWebhookReply ? { viaWebhookReply: true } : {}),
      });
    };
    try {
      if (!found) throw new ApiError(404, 'Not Found: method not found');
      const fault = this.faults.take(method, at, request.params);
      if (fault?.kind === 'fail') throw fault.error;
      if (fault?.kind === 'hang') {
        await this.faults.hold(fault.untilMs, signal);
        record(0, { description: 'hung by fake.hang(); the connection was dropped without an answer' });
        return { status: 0 };
      }
      const counted = COUNTED_BY_LIMITS.has(method.toLowerCase());
      const chatId = counted ? this.limitedChat(request.params) : undefined;
      if (counted) {
        const retryAfter = this.limiter.retryAfter(chatId, Date.now());
        if (retryAfter !== undefined) {
          this.limiter.rejected += 1;
          throw new ApiError(429, `Too Many Requests: retry after ${retryAfter}`, {
            retry_after: retryAfter,
          });
        }
      }
      const result = await found.handler(request.params, {
        state: this.state,
        uploads: request.uploads,
        signal,
      });
      if (counted) this.limiter.record(chatId, Date.now());
      if (request.clientSignal.aborted) {
        record(0, { description: 'the client closed the connection before the answer' });
        return { status: 0 };
      }
      record(200, { result });
      return { status: 200, body: { ok: true, result } };
    } catch (caught) {
      const error =
        caught instanceof ApiError
          ? caught
          : new ApiError(
              500,
              `Internal Server Error: fake Telegram failed: ${(caught as Error)?.stack ?? caught}`,
            );
      record(error.errorCode, { error });
      return { status: error.errorCode, body: error.toJSON() };
    }
  }

  /** Records a request that failed before reaching a method (bad token, unreadable body). */
  recordRejected(method: string, params: Params, at: number, error: ApiError) {
    this.log.record({
      method,
      params,
      at,
      status: error.errorCode,
      ok: false,
      errorCode: error.errorCode,
      description: error.description,
    });
  }

  private limitedChat(params: Params): number | undefined {
    const chatId = params.chat_id;
    if (typeof chatId === 'number') return chatId;
    if (typeof chatId === 'string' && /^-?\d+$/.test(chatId)) return Number(chatId);
    if (typeof chatId === 'string') return this.state.chats.findChat(chatId)?.chat.id;
    return undefined;
  }
}

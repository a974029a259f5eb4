import type { FakeState } from '../fake-state.ts';
import type { Params, UploadedFile } from '../types.ts';

export interface MethodContext {
  state: FakeState;
  /** Multipart file parts of this request, by part name. */
  uploads: Map<string, UploadedFile>;
  /** Aborts when the client goes away or the fake closes. */
  signal: AbortSignal;
}

export type MethodHandler = (params: Params, context: MethodContext) => unknown;

/** Bot API methods by canonical name (Telegram matches method names case-insensitively). */
export type MethodTable = Record<string, MethodHandler>;

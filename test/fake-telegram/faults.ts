import { ApiError } from './api-error.ts';
import type { Params } from './types.ts';

/** Methods that send or change messages: the default target of faults, counted by the limits. */
export const SENDING_METHODS = [
  'sendMessage',
  'sendPhoto',
  'sendDocument',
  'sendVoice',
  'sendAudio',
  'sendVideoNote',
  'sendSticker',
  'sendAnimation',
  'sendLocation',
  'editMessageText',
  'editMessageReplyMarkup',
  'editMessageCaption',
  'copyMessage',
  'forwardMessage',
];

export interface FaultOptions {
  /** Method names, or 'all' (every API method and file downloads, recorded as `download`). */
  methods?: string[] | 'all';
  /** Affect the next N matching calls. */
  count?: number;
  /** Affect matching calls until Date.now() >= untilMs. */
  untilMs?: number;
  /** Only calls whose params match (the chat, the text…); default: every call of `methods`. */
  when?: (params: Params) => boolean;
}

export interface FailOptions extends FaultOptions {
  status?: 500 | 502 | 503;
}

/**
 * A refusal for good, as Telegram gives for a request it will never accept: `status` and Telegram's own
 * `description`, e.g. 400 "Bad Request: message text is empty", 400 "Bad Request: chat not found",
 * 403 "Forbidden: bot was blocked by the user".
 */
export interface RefuseOptions extends FaultOptions {
  status: 400 | 403 | 404;
  description: string;
}

interface Fault {
  kind: 'fail' | 'hang';
  status: number;
  description?: string;
  when?: (params: Params) => boolean;
  methods: Set<string> | 'all';
  remaining: number | undefined;
  untilMs: number | undefined;
}

const DESCRIPTIONS: Record<number, string> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/**
 * Injected failures. `fail` answers a 5xx at once; `refuse` answers a 4xx with Telegram's description,
 * for calls Telegram would never accept; `hang` holds the request without touching any state until the
 * fault ends (`untilMs`, `clearFaults()` or `close()`), then destroys the socket without an answer, like
 * a request lost in the network. None changes state.
 */
export class Faults {
  private faults: Fault[] = [];
  private readonly held = new Set<() => void>();

  fail(options: FailOptions) {
    this.add('fail', options.status ?? 502, options);
  }

  refuse(options: RefuseOptions) {
    this.add('fail', options.status, options, options.description);
  }

  hang(options: FaultOptions) {
    this.add('hang', 0, options);
  }

  clear() {
    this.faults = [];
    for (const release of [...this.held]) release();
  }

  /** The fault for this call, if any, consuming one from its count. */
  take(
    method: string,
    now: number,
    params: Params = {},
  ): { kind: 'fail'; error: ApiError } | { kind: 'hang'; untilMs?: number } | undefined {
    this.faults = this.faults.filter((fault) => fault.remaining !== 0 && (fault.untilMs ?? Infinity) > now);
    const name = method.toLowerCase();
    const fault = this.faults.find(
      (candidate) =>
        (candidate.methods === 'all' || candidate.methods.has(name)) && (candidate.when?.(params) ?? true),
    );
    if (!fault) return undefined;
    if (fault.remaining !== undefined) fault.remaining -= 1;
    if (fault.kind === 'fail') {
      const description = fault.description ?? DESCRIPTIONS[fault.status] ?? 'Bad Gateway';
      return { kind: 'fail', error: new ApiError(fault.status, description) };
    }
    return fault.untilMs === undefined ? { kind: 'hang' } : { kind: 'hang', untilMs: fault.untilMs };
  }

  /** Waits until a hang ends (`untilMs`, clear) or `signal` aborts (the client gave up, close). */
  hold(untilMs: number | undefined, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const timer =
        untilMs === undefined ? undefined : setTimeout(release, Math.max(0, untilMs - Date.now()));
      const held = this.held;
      held.add(release);
      signal.addEventListener('abort', release, { once: true });
      if (signal.aborted) release();
      function release() {
        clearTimeout(timer);
        held.delete(release);
        signal.removeEventListener('abort', release);
        resolve();
      }
    });
  }

  private add(kind: Fault['kind'], status: number, options: FaultOptions, description?: string) {
    const methods = options.methods ?? SENDING_METHODS;
    this.faults.push({
      kind,
      status,
      ...(description === undefined ? {} : { description }),
      ...(options.when === undefined ? {} : { when: options.when }),
      methods:
        methods === 'all' || methods.includes('all') ? 'all' : new Set(methods.map((m) => m.toLowerCase())),
      remaining: options.count,
      untilMs: options.untilMs,
    });
  }
}

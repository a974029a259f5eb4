import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Refusal = { method: string; chatId: number; status: number; description: string };
type Hold = { method: string; arrived: () => void; held: ServerResponse[]; released: boolean };
type Answer = { method: string; status: number; body: string; count: number; stopped: boolean };

/**
 * A Bot API proxy between the server (its TELEGRAM_API_ROOT) and the fake Telegram, for faults the fake
 * has no switch for: a call that is held (and tells the test it arrived), Telegram's refusals for one
 * chat (e.g. 400 "have no rights to send a message" in a group where the bot may not write), and any
 * answer to every call of a method until the test switches it off. Everything else, file downloads and
 * long polls included, passes through unchanged.
 */
export async function startTelegramProxy(target: string) {
  const upstream = new URL(target);
  const refusals: Refusal[] = [];
  const holds: Hold[] = [];
  const answers: Answer[] = [];
  /** The refused calls, as `method chatId`. */
  const refused: string[] = [];
  /** The methods of the calls passed through to the fake, in order (lower case). */
  const passed: string[] = [];

  const methodOf = (url: string) => /^\/bot[^/]+\/([A-Za-z]+)/.exec(url)?.[1]?.toLowerCase();

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const outgoing = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    outgoing.on('error', () => res.destroy());
    res.on('close', () => outgoing.destroy());
    outgoing.end(body);
  };

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const method = methodOf(req.url ?? '');

    const hold = holds.find((candidate) => !candidate.released && candidate.method === method);
    if (hold) {
      hold.held.push(res);
      hold.arrived();
      return;
    }
    const answer = answers.find((candidate) => !candidate.stopped && candidate.method === method);
    if (answer) {
      answer.count += 1;
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body);
      return;
    }
    const chatId = method && readChatId(req, body);
    const refusal = refusals.find((rule) => rule.method === method && rule.chatId === chatId);
    if (refusal) {
      refused.push(`${refusal.method} ${chatId}`);
      const text = JSON.stringify({
        ok: false,
        error_code: refusal.status,
        description: refusal.description,
      });
      res.writeHead(refusal.status, { 'content-type': 'application/json' });
      res.end(text);
      return;
    }
    if (method) passed.push(method);
    forward(req, body, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    refused,

    /** How many calls of `method` passed through to the fake (this proxy's client made them). */
    forwarded: (method: string) => passed.filter((name) => name === method.toLowerCase()).length,

    /** Calls of `method` to `chatId` are answered with this error instead of reaching the fake. */
    refuse(method: string, chatId: number, status: number, description: string) {
      refusals.push({ method: method.toLowerCase(), chatId, status, description });
    },

    /**
     * Every call of `method` is answered with `status` and `body` (JSON), instead of reaching the fake,
     * until `stop()`. `count` is how many were.
     */
    answer(method: string, status: number, body: unknown) {
      const answer: Answer = {
        method: method.toLowerCase(),
        status,
        body: JSON.stringify(body),
        count: 0,
        stopped: false,
      };
      answers.push(answer);
      return {
        get count() {
          return answer.count;
        },
        stop() {
          answer.stopped = true;
        },
      };
    },

    /**
     * Calls of `method` get no answer until `release()`, which drops them unanswered (as a lost
     * connection). `arrived` resolves when the first one comes in.
     */
    hold(method: string) {
      let arrived = () => {};
      const promise = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      const hold: Hold = { method: method.toLowerCase(), arrived, held: [], released: false };
      holds.push(hold);
      return {
        arrived: promise,
        release() {
          hold.released = true;
          for (const res of hold.held) res.destroy();
        },
      };
    },

    async close() {
      for (const hold of holds) {
        hold.released = true;
        for (const res of hold.held) res.destroy();
      }
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export type TelegramProxy = Awaited<ReturnType<typeof startTelegramProxy>>;

/** `chat_id` of a JSON or urlencoded call (grammY sends JSON unless it uploads a file). */
function readChatId(req: IncomingMessage, body: Buffer): number | undefined {
  const type = req.headers['content-type'] ?? '';
  try {
    if (type.includes('application/json')) return Number(JSON.parse(body.toString()).chat_id) || undefined;
    if (type.includes('urlencoded'))
      return Number(new URLSearchParams(body.toString()).get('chat_id')) || undefined;
  } catch {
    return undefined;
  }
  return undefined;
}

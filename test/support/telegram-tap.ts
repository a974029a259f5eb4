import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A pass-through in front of the fake Bot API for one server instance (its TELEGRAM_API_ROOT), recording
 * which messages that instance sent: a message sent twice can then be traced to the instance that sent
 * each copy. Everything passes through unchanged.
 */
export async function startTelegramTap(target: string) {
  const upstream = new URL(target);
  /** `chatId:messageId` of every message this instance's sends created, with when the send arrived. */
  const sent = new Map<string, number>();

  const server = createServer((req, res) => {
    const arrived = Date.now();
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
        if (!/\/send[A-Za-z]+$/.test(req.url ?? '')) {
          answer.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          try {
            const { ok, result } = JSON.parse(body.toString()) as {
              ok: boolean;
              result?: { message_id: number; chat: { id: number } };
            };
            if (ok && result?.message_id) sent.set(`${result.chat.id}:${result.message_id}`, arrived);
          } catch {}
          res.end(body);
        });
      },
    );
    outgoing.on('error', () => res.destroy());
    res.on('close', () => {
      if (!res.writableFinished) outgoing.destroy();
    });
    req.pipe(outgoing);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiRoot: `http://127.0.0.1:${port}`,
    /** When this instance's send of that message arrived, or undefined if another instance sent it. */
    sentAt: (chatId: number, messageId: number) => sent.get(`${chatId}:${messageId}`),
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export type TelegramTap = Awaited<ReturnType<typeof startTelegramTap>>;

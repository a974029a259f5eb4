import { createServer } from 'node:net';

/**
 * Fails (EADDRINUSE, EACCES) when `port` cannot be listened on, before anything else starts: the HTTP
 * server listens last, after the database and the bot, so without this a taken port would be found
 * only after lines saying that everything else is ready. The port is released again at once; were it
 * taken in between, the real `listen` fails with the same error. Port 0 (any free port) is not probed.
 */
export async function ensurePortFree(port: number): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    // The same address as the HTTP server's `listen(port)`: every interface.
    probe.listen(port, resolve);
  });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy on loopback in front of a server (PostgreSQL, Redis), to break one exchange on purpose:
 * `dropNext(marker)` cuts the connection whose next bytes towards the server contain `marker`, instead
 * of passing them on. The server never sees them, the client sees its connection break; everything else
 * passes untouched, and the client may connect again.
 */
export async function startTcpProxy(target: string) {
  const { hostname, port } = new URL(target);
  const connections = new Set<Socket>();
  let drop: { marker: string; dropped: () => void } | undefined;

  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    connections.add(client);
    client.on('close', () => connections.delete(client));
    client.on('data', (chunk) => {
      if (drop && chunk.toString('latin1').includes(drop.marker)) {
        const { dropped } = drop;
        drop = undefined;
        cut();
        dropped();
        return;
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on('close', cut);
    upstream.on('close', cut);
    client.on('error', cut);
    upstream.on('error', cut);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxyPort = (server.address() as { port: number }).port;

  return {
    /** `url` (the target's) with the proxy's address instead. */
    via(url: string) {
      const through = new URL(url);
      through.hostname = '127.0.0.1';
      through.port = String(proxyPort);
      return through.toString();
    },
    /** Resolves once a connection was cut instead of sending bytes that contain `marker`. */
    dropNext(marker: string) {
      const { promise, resolve } = Promise.withResolvers<void>();
      drop = { marker, dropped: resolve };
      return promise;
    },
    async close() {
      for (const connection of connections) connection.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

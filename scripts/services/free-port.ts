import { createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that nothing listens on right now.
 *
 * The kernel picks it (listen on port 0), then the port is released for the caller.
 * Another process may take it in between, so callers that start a server on it retry
 * with a new port when the bind fails (see `startPostgres` and `startRedis`).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port the kernel assigned'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

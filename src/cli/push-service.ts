import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import type { Config } from '../config/defaults.ts';
import { trustProxyOption } from '../config/trust-proxy.ts';
import { installProblemHandlers } from '../http/problem.ts';
import { WEBSOCKET_PATH, registerPushService, type PushAck } from '../push-service/index.ts';
import { checkStore, openStore } from '../store/database.ts';
import { resolveMasterKey } from '../crypto/master-key.ts';
import { SecretBox } from '../crypto/secret-box.ts';
import { checkMasterKey } from '../crypto/key-check.ts';
import { recordUnshown } from '../delivery/unshown.ts';

/**
 * `carillon push-service`: only Carillon's own RFC 8030 push service, on the same store
 * as the API (SQLite in the data folder unless DATABASE_URL is set). No API, no workers.
 */
export async function pushService(config: Config): Promise<void> {
  const logger = pino({ level: config.logLevel });
  const store = await openStore({ databaseUrl: config.databaseUrl || undefined, dataDir: config.dataDir, poolSize: config.databasePoolSize });
  // Before the banner: a read-only folder or a damaged file is one line and exit 1, not a stack later.
  await checkStore(store);
  const app = Fastify({
    // As the API's: pushes and WebSockets behind a reverse proxy are counted by the client's address.
    trustProxy: trustProxyOption(config.trustProxy),
    loggerInstance: logger.child({ module: 'http' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
  });
  installProblemHandlers(app);
  const serviceLogger = logger.child({ module: 'push-service' });
  // With the API's master key (in config, or in the shared data folder), a browser's
  // failed ack reaches the notification's counts; a key made up here would verify nothing.
  const masterKey = config.masterKey || !config.databaseUrl ? resolveMasterKey(config.masterKey, config.dataDir) : null;
  const secrets = masterKey ? new SecretBox(masterKey.key) : null;
  if (masterKey && secrets) {
    await checkMasterKey(store.db, secrets, masterKey.source, Date.now()).catch(async (err: unknown) => {
      await store.close();
      throw err;
    });
  }
  if (!secrets) serviceLogger.warn('no CARILLON_MASTER_KEY: browsers that cannot decrypt a message are logged, not counted as failed in its notification');
  await registerPushService(app, {
    db: store.db,
    logger: serviceLogger,
    publicUrl: config.pushServiceUrl || config.publicUrl,
    config,
    ...(secrets ? { onAck: (ack: PushAck) => recordUnshown({ db: store.db, secrets, logger: serviceLogger, now: Date.now }, ack).then(() => undefined) } : {}),
  });
  const address = await app.listen({ port: config.port, host: config.host });
  const base = (config.pushServiceUrl || config.publicUrl || address).replace(/\/+$/, '');
  const ws = `${base.replace(/^http/, 'ws')}${WEBSOCKET_PATH}`;
  process.stdout.write(
    [
      `Carillon push service is running at ${base}/push/`,
      `  WebSocket: ${ws}`,
      `  Data:      ${store.location}`,
      `  Firefox:   dom.push.serverURL = ${ws}${ws.startsWith('ws:') ? '  (and dom.push.testing.allowInsecureServerURL = true)' : ''}`,
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping push service');
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/** The Carillon configuration every bench process uses: the defaults, with what a loopback run needs. */
import { defaults, type Config } from '../../src/config/defaults.ts';

export interface BenchStore {
  /** SQLite data folder (the embedded default). */
  dataDir: string;
  /** PostgreSQL URL, for the scale-out figure. */
  databaseUrl?: string;
  /** Redis URL (BullMQ queue), for the scale-out figure. */
  redisUrl?: string;
  /** Prefix of the queue's Redis keys (RuntimeOptions.queuePrefix), so a shared Redis is not disturbed. */
  queuePrefix?: string;
  adminKey: string;
  /** base64 of 32 bytes, shared by the seeding process and the server. */
  masterKey: string;
}

export function benchConfig(store: BenchStore, overrides: Partial<Config> = {}): Config {
  return {
    ...defaults,
    dataDir: store.dataDir,
    databaseUrl: store.databaseUrl ?? '',
    redisUrl: store.redisUrl ?? '',
    adminKey: store.adminKey,
    masterKey: store.masterKey,
    // The sink listens on 127.0.0.1: the SSRF guard would refuse it.
    allowPrivateEndpoints: true,
    // One load generator plays every browser: a per-address limit would measure itself.
    clientRate: 0,
    logLevel: 'warn',
    ...overrides,
  };
}

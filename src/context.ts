import type { Logger } from 'pino';
import type { Config } from './config/defaults.ts';
import type { SecretBox } from './crypto/secret-box.ts';
import type { Queue } from './queue/queue.ts';
import type { RateLimiter } from './rate-limit/rate-limiter.ts';
import type { Store } from './store/database.ts';

/** What the API and the delivery pipeline share: made once by `createContext`, passed down. */
export interface Context {
  config: Config;
  store: Store;
  queue: Queue;
  secrets: SecretBox;
  /** Rates shared by every process of the installation (src/rate-limit/). */
  limiter: RateLimiter;
  logger: Logger;
  /** ms since epoch; injected so tests control scheduling and expiry. */
  now: () => number;
}

import type { Logger } from 'pino';
import type { Config } from './config/defaults.ts';
import type { SecretBox } from './crypto/secret-box.ts';
import type { Queue } from './queue/queue.ts';
import type { Store } from './store/database.ts';

/** What the API and the delivery pipeline share: made once by `createContext`, passed down. */
export interface Context {
  config: Config;
  store: Store;
  queue: Queue;
  secrets: SecretBox;
  logger: Logger;
  /** ms since epoch; injected so tests control scheduling and expiry. */
  now: () => number;
}

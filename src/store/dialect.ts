export type Dialect = 'sqlite' | 'postgres';

/** What differs between the engines, asked as capabilities rather than by name. */
export interface DialectCapabilities {
  dialect: Dialect;
  /** `FOR UPDATE SKIP LOCKED`: several processes can claim jobs without blocking each other. */
  supportsSkipLocked: boolean;
}

import type { MessageStore, StorageUsage } from './message-store.ts';

/**
 * The totals of what the push service stores, for the caps on them (pushStoredMessages,
 * pushStoredBytes). They are counted in the store at most every `refreshMs` (on the
 * injected clock) and this process adds what it stores in between, so a push costs no
 * full count; messages acked or expired meanwhile are seen at the next count.
 */
export class StorageMeter {
  #usage: StorageUsage = { messages: 0, bytes: 0 };
  #countedAt = Number.NEGATIVE_INFINITY;
  #counting: Promise<StorageUsage> | null = null;

  constructor(
    private readonly messages: MessageStore,
    private readonly refreshMs: number,
    private readonly now: () => number,
  ) {}

  /** The totals, counted again when the last count is older than `refreshMs`. */
  async usage(): Promise<StorageUsage> {
    const at = this.now();
    if (at - this.#countedAt < this.refreshMs) return this.#usage;
    // Concurrent pushes share one count.
    this.#counting ??= this.messages.totalUsage().then(
      (usage) => {
        this.#usage = usage;
        this.#countedAt = at;
        this.#counting = null;
        return usage;
      },
      (err: unknown) => {
        this.#counting = null;
        throw err;
      },
    );
    return this.#counting;
  }

  /** Adds a message this process stored. */
  add(bytes: number): void {
    this.#usage = { messages: this.#usage.messages + 1, bytes: this.#usage.bytes + bytes };
  }
}

interface OriginSlots {
  active: number;
  waiting: Array<() => void>;
}

/**
 * Counts in-flight work per key (an origin) and makes work beyond `limit` wait its
 * turn, first come first served. Keys with nothing in flight or waiting are
 * forgotten, so a stream of distinct origins does not grow the map.
 *
 * @example
 * const release = await semaphore.acquire('https://fcm.googleapis.com');
 * try { await send(); } finally { release(); }
 */
export class OriginSemaphore {
  readonly #limit: number;
  readonly #slots = new Map<string, OriginSlots>();
  #active = 0;
  #waiting = 0;

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
    this.#limit = limit;
  }

  /** Resolves with a release function once a slot for `key` is free. */
  acquire(key: string): Promise<() => void> {
    let slots = this.#slots.get(key);
    if (slots === undefined) {
      slots = { active: 0, waiting: [] };
      this.#slots.set(key, slots);
    }
    if (slots.active < this.#limit) {
      slots.active++;
      this.#active++;
      return Promise.resolve(this.#releaser(key, slots));
    }
    const queue = slots;
    this.#waiting++;
    return new Promise((resolve) => {
      queue.waiting.push(() => {
        this.#waiting--;
        resolve(this.#releaser(key, queue));
      });
    });
  }

  /** Slots held, over all keys. */
  get active(): number {
    return this.#active;
  }

  /** Callers waiting for a slot, over all keys. */
  get waiting(): number {
    return this.#waiting;
  }

  #releaser(key: string, slots: OriginSlots): () => void {
    let released = false;
    return () => {
      if (released) return; // a second call must not free someone else's slot
      released = true;
      const next = slots.waiting.shift();
      if (next !== undefined) {
        next(); // the slot passes straight to the next in line: `active` is unchanged
        return;
      }
      slots.active--;
      this.#active--;
      if (slots.active === 0) this.#slots.delete(key);
    };
  }
}

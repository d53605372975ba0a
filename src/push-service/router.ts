/**
 * Which connection of this process serves a uaid, keyed by the uaid's hash (the key the
 * store has; the uaid itself is kept by its connection alone). A push for a connected
 * uaid goes out at once; for any other it waits in the store until the next `hello`.
 */
export class Router<C> {
  readonly #byUaid = new Map<string, C>();

  /**
   * Routes the uaid to `connection` and returns the connection it replaces, if any. The
   * old one is out of the routing before the caller closes it, so a message routed
   * while it closes goes to the new connection rather than into a closing socket.
   */
  attach(uaid: string, connection: C): C | undefined {
    const previous = this.#byUaid.get(uaid);
    this.#byUaid.set(uaid, connection);
    return previous === connection ? undefined : previous;
  }

  /** Removes the route, unless another connection has taken the uaid over since. */
  detach(uaid: string, connection: C): boolean {
    if (this.#byUaid.get(uaid) !== connection) return false;
    this.#byUaid.delete(uaid);
    return true;
  }

  get(uaid: string): C | undefined {
    return this.#byUaid.get(uaid);
  }

  get size(): number {
    return this.#byUaid.size;
  }

  connections(): IterableIterator<C> {
    return this.#byUaid.values();
  }
}

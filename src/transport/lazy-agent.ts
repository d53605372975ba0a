import type { Agent } from 'undici';

let undici: Promise<typeof import('undici')> | undefined;

/**
 * An undici Agent made at its first request, undici being loaded then: its hundred-odd
 * modules are held only by a server that sends over HTTP/1.1 (push services that do not
 * speak h2, FCM's token endpoint, CAP feeds), not by every idle one (issue #19).
 */
export class LazyAgent {
  readonly #options: Agent.Options;
  #agent: Promise<Agent> | undefined;

  constructor(options: Agent.Options) {
    this.#options = options;
  }

  /** The agent, made (and undici loaded) at the first call. */
  get(): Promise<Agent> {
    return (this.#agent ??= (undici ??= import('undici')).then(({ Agent }) => new Agent(this.#options)));
  }

  /** Closes the agent's connections; nothing to do when none was ever made. */
  async close(): Promise<void> {
    if (this.#agent) await (await this.#agent).close();
  }
}

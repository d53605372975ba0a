/**
 * Indexes kept per app and knowledge base version: a version is indexed once, when its
 * first message arrives, and a new version replaces the app's old one. Bounded (least
 * recently used app out first), so a server with many apps keeps only the busy ones.
 */
import { buildIndex, type AssistantIndex } from './bm25-index.ts';
import type { KnowledgeBase } from './knowledge-base.ts';

export const DEFAULT_CACHED_APPS = 200; // apps; an index of 1,000 pairs is a few hundred KB

export class IndexCache {
  readonly #entries = new Map<string, { version: string; index: AssistantIndex }>();
  readonly #max: number;
  readonly #build: (kb: KnowledgeBase) => AssistantIndex;

  constructor(options: { maxApps?: number; build?: (kb: KnowledgeBase) => AssistantIndex } = {}) {
    this.#max = options.maxApps ?? DEFAULT_CACHED_APPS;
    this.#build = options.build ?? buildIndex;
  }

  /** The index of `version` of the app's knowledge base; `load` is called only when it is not cached. */
  get(appId: string, version: string, load: () => KnowledgeBase): AssistantIndex {
    const entry = this.#entries.get(appId);
    this.#entries.delete(appId);
    if (entry && entry.version === version) {
      this.#entries.set(appId, entry); // most recently used last
      return entry.index;
    }
    const fresh = { version, index: this.#build(load()) };
    this.#entries.set(appId, fresh);
    while (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
    return fresh.index;
  }

  get size(): number {
    return this.#entries.size;
  }
}

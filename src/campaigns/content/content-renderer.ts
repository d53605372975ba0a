import type { CompiledContent } from './compiled-content.ts';
import { MAX_LIMIT_CUTS } from './limits.ts';
import { render, type RenderResult } from './render.ts';
import { versionFor } from './version-for.ts';
import type { RenderContext } from './render-context.ts';
import { renderKey } from './render-key.ts';

export interface ContentRendererOptions {
  /** Renderings kept (2,000), the oldest dropped first: a page rarely has more distinct ones, and each holds a message of up to ~6 KB. */
  maxEntries?: number;
  /** Cuts by a limit of one version (and more than half its renders) before the rest of its recipients fail at once (limits.ts MAX_LIMIT_CUTS). */
  maxLimitCuts?: number;
}

export interface ContentRendererStats {
  /** Recipients asked for. */
  recipients: number;
  /** Renders actually run (the rest came from the cache or failed at once). */
  renders: number;
  /** Recipients failed at once because their version had been cut too often. */
  failedFast: number;
}

/**
 * Renders campaign content for many recipients, once per distinct rendering: results are
 * kept by renderKey, so recipients with the same key get the same result object (and the
 * same MessageContent object, which the pipeline's senders build one payload for). Meant
 * for one batch or page at a time: "now" in a template is the moment of the first render
 * of a key.
 *
 *   const renderer = new ContentRenderer(compiled)
 *   for (const r of recipients) {
 *     const result = renderer.render(r.context)   // the version is picked from r.context.user.language
 *   }
 *
 * A version whose renders were cut by a limit MAX_LIMIT_CUTS times, and in more than half
 * of its renders, fails every later recipient at once (render_failed, the same detail), so
 * one hostile template costs a worker a few render budgets, not one per recipient, while a
 * few users with outlying data do not stop the others.
 */
export class ContentRenderer {
  readonly stats: ContentRendererStats = { recipients: 0, renders: 0, failedFast: 0 };
  private readonly cache = new Map<string, RenderResult>();
  private readonly tallies = new Map<string, { renders: number; cut: number; last: RenderResult | undefined }>();
  private readonly maxEntries: number;
  private readonly maxLimitCuts: number;

  constructor(
    readonly compiled: CompiledContent,
    options: ContentRendererOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? 2_000;
    this.maxLimitCuts = options.maxLimitCuts ?? MAX_LIMIT_CUTS;
  }

  /** Renders for the recipient's own language (`ctx.user.language`), or for `language` when given. */
  render(ctx: RenderContext, language: string | null = ctx.user.language): RenderResult {
    this.stats.recipients++;
    const version = versionFor(this.compiled, language).language;
    let tally = this.tallies.get(version);
    if (!tally) this.tallies.set(version, (tally = { renders: 0, cut: 0, last: undefined }));
    // Fail fast only a version that is cut again and again, most of the times it runs: a
    // hostile template, not one user's outlying data.
    if (tally.last && tally.cut >= this.maxLimitCuts && tally.cut * 2 > tally.renders) {
      this.stats.failedFast++;
      return tally.last;
    }
    const key = renderKey(this.compiled, version, ctx);
    const hit = this.cache.get(key);
    if (hit) return hit;
    this.stats.renders++;
    tally.renders++;
    const result = render(this.compiled, version, ctx);
    if (!result.ok && result.cut) {
      tally.cut++;
      tally.last = result;
    }
    if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, result);
    return result;
  }
}

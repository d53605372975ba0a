import { CaptureTag, ForTag, Liquid, TablerowTag, TypeGuards, type Context, type FS, type TagToken, type TopLevelToken } from 'liquidjs';
import { OBJECT_INTERNALS } from './object-internals.ts';
import { MAX_LITERAL_LOOP, MEMORY_LIMIT, PARSE_LIMIT, RENDER_LIMIT_MS } from './limits.ts';

/**
 * The one Liquid engine campaign content is parsed and rendered with. Templates are
 * written by operators but rendered inside delivery workers with users' data, so the
 * engine is shut in:
 *
 * - No file access of any kind. `include`, `render` and `layout` are the only tags that
 *   read templates from somewhere (liquidjs docs, "Tags overview": the File group); they
 *   are replaced by tags that refuse at parse time, so a template naming one is refused
 *   when the campaign is saved. Behind that, `fs` is a file system that refuses every
 *   call and `relativeReference` is off, so nothing reachable from the engine opens a
 *   file even if a tag were let through (liquidjs issue #131 recommends a custom `fs`).
 * - `strictFilters`: an unknown filter is a parse error at save, not a silent no-op.
 * - `ownPropertyOnly`: `{{ user.constructor }}` and `{{ x.__proto__ }}` read own
 *   properties only, never the prototype chain (liquidjs "Security Model").
 * - `parseLimit`, `renderLimit`, `memoryLimit` set (liquidjs "DoS Prevention"), loops over
 *   literal ranges bounded at parse, and the text a `capture` builds charged to the memory
 *   limit, which liquidjs 10.30 does not count (a `capture` that doubles itself in a loop
 *   would otherwise run until V8's string limit).
 *   liquidjs 10.30.1 has the fixes for GHSA-8xx9-69p8-7jp3 (an empty loop body skipped
 *   renderLimit) and GHSA-hh27-hf48-9f5q (`date` padding skipped memoryLimit); the
 *   hostile-template tests hold both.
 * - `lenientIf`: in strict mode a missing variable fails the recipient, except where the
 *   operator wrote for it: under `default` or tested by `if`/`unless`.
 * - Dates format in UTC and English whatever the machine's zone and locale, so every
 *   worker renders the same message.
 */
function createContentEngine(): Liquid {
  const engine = new Liquid({
    fs: NO_FILES,
    root: [],
    partials: [],
    layouts: [],
    relativeReference: false,
    dynamicPartials: false,
    strictFilters: true,
    strictVariables: false,
    lenientIf: true,
    ownPropertyOnly: true,
    cache: false,
    jsTruthy: false,
    timezoneOffset: 0,
    locale: 'en-US',
    parseLimit: PARSE_LIMIT,
    renderLimit: RENDER_LIMIT_MS,
    memoryLimit: MEMORY_LIMIT,
  });
  for (const name of ['include', 'render', 'layout']) engine.registerTag(name, refusedTag(name));
  engine.registerTag('for', BoundedFor);
  engine.registerTag('tablerow', BoundedTablerow);
  engine.registerTag('capture', ChargedCapture);
  return engine;
}

/** A file system with no files: every call throws, so no lookup can read or probe a path. */
const NO_FILES: FS = {
  exists: () => Promise.reject(noFiles()),
  existsSync: () => {
    throw noFiles();
  },
  readFile: () => Promise.reject(noFiles()),
  readFileSync: () => {
    throw noFiles();
  },
  resolve: () => {
    throw noFiles();
  },
  contains: () => Promise.resolve(false),
  containsSync: () => false,
};

function noFiles(): Error {
  return new Error('campaign templates have no file access');
}

function refusedTag(name: string) {
  return {
    parse(): void {
      throw new Error(`{% ${name} %} is not available in campaign content: templates cannot read other templates or files`);
    },
    render(): void {
      throw new Error(`{% ${name} %} is not available in campaign content`);
    },
  };
}

/** `(1..N)` with both ends literal numbers: its size is known at parse. */
function literalRangeSize(collection: unknown): number | undefined {
  if (!TypeGuards.isRangeToken(collection)) return undefined;
  const { lhs, rhs } = collection;
  if (!TypeGuards.isNumberToken(lhs) || !TypeGuards.isNumberToken(rhs)) return undefined;
  return Math.max(0, Math.floor(rhs.content) - Math.ceil(lhs.content) + 1);
}

function checkLoop(variable: string, collection: unknown): void {
  if (OBJECT_INTERNALS.has(variable)) throw new Error(`"${variable}" is not a name a loop may set`);
  const size = literalRangeSize(collection);
  if (size !== undefined && size > MAX_LITERAL_LOOP) {
    throw new Error(`a loop over ${size} items; at most ${MAX_LITERAL_LOOP} in campaign content`);
  }
}

class BoundedFor extends ForTag {
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid, parser: ConstructorParameters<typeof ForTag>[3]) {
    super(token, remainTokens, liquid, parser);
    checkLoop(this.variable, this.collection);
  }
}

class BoundedTablerow extends TablerowTag {
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid, parser: ConstructorParameters<typeof TablerowTag>[3]) {
    super(token, remainTokens, liquid, parser);
    checkLoop(this.variable, this.collection);
  }
}

class ChargedCapture extends CaptureTag {
  override *render(ctx: Context): Generator<unknown, void, string> {
    yield* super.render(ctx);
    const kept: unknown = ctx.bottom()[this.variable as keyof object];
    if (typeof kept === 'string') ctx.memoryLimit.use(kept.length);
  }
}

// Built last: the tags and the file system above are consts and classes, not hoisted.
export const contentEngine: Liquid = createContentEngine();

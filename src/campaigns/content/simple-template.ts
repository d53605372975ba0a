import type { Template } from 'liquidjs';
import { contentEngine } from './content-engine.ts';
import { NESTED, plainLeaf } from './liquid-scope.ts';
import type { RenderContext } from './render-context.ts';

/**
 * Templates that are only text and plain variables (`Hi {{ user.attributes.firstName |
 * default: "there" }}`), rendered without liquidjs's machinery: a recipient of such a
 * template costs a walk down a few own properties and one string, not a Context, two
 * limiters and a generator per node (bench section 8: the render was most of what a
 * personalised message costs beyond a plain one).
 *
 * The answer is the one liquidjs gives (liquidjs 10.30: `Context.readProperty`,
 * `_getFromScope`, `stringify`, the `default` filter, `lenientIf`), for every value
 * `liquidScope` can hold; wherever it could differ the answer is `undefined` and the
 * caller renders with liquidjs as before (render.ts): an array or a string on the way, a
 * `size`, `first` or `last` segment, an array or object at the end, a missing variable in
 * strict content without `default` (liquidjs's own error names it). Such a template runs
 * in time linear in its text and its values, no loop, no filter that builds text, so the
 * render and memory limits have nothing to cut in it; every other template (tags, other
 * filters, ranges) is not simple and renders with liquidjs and its limits.
 */
export interface SimpleTemplate {
  readonly parts: readonly (string | SimpleOutput)[];
}

interface SimpleOutput {
  /** The property path from the scope's root: `['user', 'attributes', 'firstName']`. */
  readonly path: readonly string[];
  /** The string of `| default: "..."`, the only filter allowed. */
  readonly fallback?: string;
}

/** Segments liquidjs reads as something other than an own property (Context.readProperty). */
const SPECIAL = new Set(['size', 'first', 'last']);

const known = new WeakMap<Template[], SimpleTemplate | null>();

/** The simple form of a parsed template, or null when it takes liquidjs (remembered per template). */
export function simpleTemplate(template: Template[]): SimpleTemplate | null {
  let found = known.get(template);
  if (found === undefined) known.set(template, (found = analyse(template)));
  return found;
}

function analyse(template: Template[]): SimpleTemplate | null {
  const parts: (string | SimpleOutput)[] = [];
  for (const node of template as unknown as Record<string, unknown>[]) {
    const kind = node.constructor?.name;
    if (kind === 'HTML' && typeof node.str === 'string') {
      parts.push(node.str);
      continue;
    }
    if (kind !== 'Output') return null;
    const value = node.value as { initial?: { postfix?: unknown[] }; filters?: { name: string; args: unknown[]; handler: unknown }[] } | undefined;
    const postfix = value?.initial?.postfix;
    if (!postfix || postfix.length !== 1) return null;
    const access = postfix[0] as { constructor?: { name: string }; variable?: unknown; props?: { constructor?: { name: string }; content?: unknown }[] };
    if (access.constructor?.name !== 'PropertyAccessToken' || access.variable !== undefined || !access.props?.length) return null;
    const path: string[] = [];
    for (const prop of access.props) {
      const name = prop.constructor?.name;
      if ((name !== 'IdentifierToken' && name !== 'QuotedToken') || typeof prop.content !== 'string' || SPECIAL.has(prop.content)) return null;
      path.push(prop.content);
    }
    const filters = value!.filters ?? [];
    if (filters.length === 0) {
      parts.push({ path });
      continue;
    }
    const [only] = filters;
    const arg = only!.args[0] as { constructor?: { name: string }; content?: unknown } | undefined;
    if (filters.length !== 1 || only!.name !== 'default' || only!.handler !== contentEngine.filters.default || only!.args.length !== 1) return null;
    if (arg?.constructor?.name !== 'QuotedToken' || typeof arg.content !== 'string') return null;
    parts.push({ path, fallback: arg.content });
  }
  return { parts };
}

/**
 * The text of a simple template for one recipient, or undefined where liquidjs must say
 * it. `strict` is the content's strictVariables. The context is read as liquidScope would
 * copy it (own enumerable data properties, JSON values only, MAX_DEPTH levels) without
 * copying it: only the values on the template's paths are looked at.
 */
export function renderSimple(simple: SimpleTemplate, ctx: RenderContext, strict: boolean): string | undefined {
  let out = '';
  for (const part of simple.parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    const value = read(ctx, part, strict);
    if (value === NOT_SIMPLE) return undefined;
    let shown: unknown = value;
    if (part.fallback !== undefined) {
      // liquidjs `default`: an empty string, false and nil give the default (jsTruthy off, no allow_false).
      if (typeof value === 'string' ? value.length === 0 : value === false || value === null || value === undefined) shown = part.fallback;
    }
    switch (typeof shown) {
      case 'string':
        out += shown;
        break;
      case 'number':
      case 'boolean':
        out += String(shown);
        break;
      case 'undefined':
        break;
      default:
        if (shown !== null) return undefined; // an array or object: liquidjs's stringify says it
    }
  }
  return out;
}

const NOT_SIMPLE = Symbol('not simple');
/** An array where liquidScope would copy one: liquidjs indexes, sizes and prints those its own way. */
const ARRAY = Symbol('array');
/** An object liquidScope would copy, read in place: its properties are looked at one by one. */
class Copied {
  constructor(
    readonly raw: object,
    readonly depth: number,
  ) {}
}

/** liquidScope's `plain(value, depth)`, for one value: what its copy would hold there. */
function copied(value: unknown, depth: number): unknown {
  const leaf = plainLeaf(value, depth);
  if (leaf !== NESTED) return leaf;
  return Array.isArray(value) ? ARRAY : new Copied(value as object, depth);
}

/** A property of a copied object: an own enumerable data property whose copy is a value (liquidScope keeps no other). */
function property(o: Copied, key: string): unknown {
  if (!Object.hasOwn(o.raw, key) || !Object.prototype.propertyIsEnumerable.call(o.raw, key)) return undefined;
  const desc = Object.getOwnPropertyDescriptor(o.raw, key);
  return desc && 'value' in desc ? copied(desc.value, o.depth + 1) : undefined;
}

/** Context._get as liquidjs runs it on liquidScope's data: own properties only, nil passing through. */
function read(ctx: RenderContext, part: SimpleOutput, strict: boolean): unknown {
  const [root, ...rest] = part.path;
  // The scope holds user, app and (when given) event; other roots are the engine's globals: liquidjs's.
  let cur: unknown;
  if (root === 'user') cur = copied(ctx.user, 0);
  else if (root === 'app') cur = copied(ctx.app, 0);
  else if (root === 'event' && ctx.event) cur = copied(ctx.event, 0);
  else return NOT_SIMPLE;
  if (strict && cur === undefined) return part.fallback !== undefined ? null : NOT_SIMPLE;
  for (const key of rest) {
    if (cur !== null && cur !== undefined) {
      if (!(cur instanceof Copied)) return NOT_SIMPLE; // a string, number or array on the way
      cur = property(cur, key);
    }
    if (strict && cur === undefined) {
      // lenientIf: under `default` a missing variable is nil; elsewhere liquidjs fails it, and says so.
      return part.fallback !== undefined ? null : NOT_SIMPLE;
    }
  }
  return cur === ARRAY || cur instanceof Copied ? NOT_SIMPLE : cur;
}

import type { RenderContext } from './render-context.ts';

// Deeper than any attribute or event property (both are flat) or app global needs.
const MAX_DEPTH = 8;

/**
 * The render context as plain data for liquidjs: objects without a prototype, arrays
 * copied, only JSON values kept (strings, finite numbers, booleans, null). With the
 * engine's ownPropertyOnly this leaves a template nothing to reach but the data itself:
 * `{{ user.attributes.constructor }}` finds no `constructor` (no prototype to inherit it
 * from), a function or a getter a caller left in an object is not copied, and no value
 * has a `toLiquid` or `toString` of its own that liquidjs would call.
 */
export function liquidScope(ctx: RenderContext): Record<string, unknown> {
  const scope = Object.create(null) as Record<string, unknown>;
  scope.user = plain(ctx.user, 0);
  scope.app = plain(ctx.app, 0);
  if (ctx.event) scope.event = plain(ctx.event, 0);
  return scope;
}

/** Marks an array or object within MAX_DEPTH: what `plainLeaf` leaves to its caller to copy. */
export const NESTED = Symbol('nested');

/**
 * What the copy holds for a value that is no array or object (strings, booleans, finite
 * numbers, null; undefined for the rest and for anything past MAX_DEPTH), or NESTED.
 * Shared with simple-template.ts, which reads the context in place by the same rules.
 */
export function plainLeaf(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : undefined;
    case 'object':
      if (value === null) return null;
      return depth >= MAX_DEPTH ? undefined : NESTED;
    default:
      return undefined;
  }
}

function plain(value: unknown, depth: number): unknown {
  const leaf = plainLeaf(value, depth);
  if (leaf !== NESTED) return leaf;
  if (Array.isArray(value)) return value.map((v) => plain(v, depth + 1));
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(value as object)) {
    const desc = Object.getOwnPropertyDescriptor(value, key);
    if (!desc || !('value' in desc)) continue; // a getter would run caller code
    const v = plain(desc.value, depth + 1);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

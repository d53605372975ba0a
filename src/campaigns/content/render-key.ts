import type { CompiledContent, FieldPath } from './compiled-content.ts';
import { versionFor } from './version-for.ts';
import type { RenderContext } from './render-context.ts';

/**
 * A key such that two recipients with equal keys get the same rendering: the version's
 * language and the values at the paths its templates read, nothing else. Recipients of a
 * page can be grouped by it and each group rendered once (and its payload built once).
 *
 *   renderKey(compiled, 'fr', ctx)   // 'fr\u0000"Ana"\u0001u' for `{{ user.attributes.firstName }} {{ event.name }}`
 *
 * A path is followed through objects only; where it meets anything else (a string whose
 * `size` a template takes, an array it indexes) the whole value is keyed. A value that is
 * missing is keyed apart from null, since strict content fails on the one and not the
 * other. Values are written as JSON with sorted keys, so equal data gives equal keys
 * whatever the order its object was built in.
 *
 * Not keyed: the time. A template that formats `"now" | date` renders the moment it runs;
 * group and render a page at once (ContentRenderer does) and the group shares that moment.
 */
export function renderKey(compiled: CompiledContent, language: string | null, ctx: RenderContext): string {
  const version = versionFor(compiled, language);
  let key = version.language + '\u0000';
  for (let i = 0; i < version.keyPaths.length; i++) {
    if (i > 0) key += '\u0001';
    key += stable(valueAt(ctx, version.keyPaths[i]!));
  }
  return key;
}

function valueAt(ctx: RenderContext, path: FieldPath): unknown {
  let cur: unknown = ctx;
  for (const segment of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return cur;
    if (!Object.hasOwn(cur, segment)) return undefined;
    cur = (cur as Record<string | number, unknown>)[segment];
  }
  return cur;
}

/** JSON with sorted object keys; `u` for undefined (JSON has none), so missing and null differ. */
function stable(value: unknown): string {
  if (value === undefined) return 'u';
  if (value === null || typeof value !== 'object') return typeof value === 'number' && !Number.isFinite(value) ? 'u' : JSON.stringify(value) ?? 'u';
  if (Array.isArray(value)) return '[' + value.map(stable).join(',') + ']';
  const keys = Object.keys(value).sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + stable((value as Record<string, unknown>)[k])).join(',') + '}';
}

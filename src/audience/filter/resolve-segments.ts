import { FilterError } from './filter-error.ts';
import { formatPointer } from './json-pointer.ts';
import { MAX_FILTER_DEPTH, MAX_FILTER_NODES, MAX_FILTER_VALUES, MAX_SEGMENT_DEPTH } from './limits.ts';
import type { Filter, ResolveSegment } from './types.ts';
import { filterSize, validateFilter, type FilterResult } from './validate-filter.ts';

/**
 * Replaces every `{"segment": id}` with that segment's filter, recursively, so that the
 * compiler and the evaluator see one tree. Refuses a reference to no segment
 * (`unknown_segment`), a segment that reaches itself (`segment_cycle`, with the ids along
 * the loop), and an expanded tree over the limits (`filter_too_complex`): the limits hold
 * for what runs, not only for what was sent. Pointers are into the filter given here; a
 * problem inside a referenced segment points at the reference.
 */
export async function expandSegments(filter: Filter, resolve: ResolveSegment): Promise<FilterResult> {
  try {
    const expanded = await expand(filter, [], [], undefined, { resolve, cache: new Map(), nodes: 0 });
    const size = filterSize(expanded);
    if (size.depth > MAX_FILTER_DEPTH) return tooComplex('depth', `With its segments the filter is nested ${size.depth} deep; the limit is ${MAX_FILTER_DEPTH}`);
    if (size.nodes > MAX_FILTER_NODES) return tooComplex('nodes', `With its segments the filter has ${size.nodes} nodes; the limit is ${MAX_FILTER_NODES}`);
    if (size.values > MAX_FILTER_VALUES) return tooComplex('values', `With its segments the filter has ${size.values} values; the limit is ${MAX_FILTER_VALUES}`);
    return { ok: true, filter: expanded };
  } catch (err) {
    if (err instanceof FilterError) return { ok: false, error: err };
    throw err;
  }
}

function tooComplex(limit: string, detail: string): FilterResult {
  return { ok: false, error: new FilterError('filter_too_complex', '', detail, { limit }) };
}

/** Validates, then expands: the one call a route or the fan-out makes with a filter as sent. */
export async function prepareFilter(input: unknown, resolve: ResolveSegment): Promise<FilterResult> {
  const checked = validateFilter(input);
  return checked.ok ? expandSegments(checked.filter, resolve) : checked;
}

interface Expansion {
  resolve: ResolveSegment;
  cache: Map<string, Promise<Filter>>;
  /** Nodes expanded so far: segments used many times over could otherwise multiply without end before the size is checked. */
  nodes: number;
}

/**
 * `stack`: the segments being expanded around `f`, outermost first; `origin`: the pointer of
 * the outermost reference, where problems inside segments are reported (their own
 * pointers mean nothing to the caller).
 */
async function expand(f: Filter, path: (string | number)[], stack: string[], origin: string | undefined, x: Expansion): Promise<Filter> {
  if (!('segment' in f) && ++x.nodes > MAX_FILTER_NODES) {
    throw new FilterError('filter_too_complex', origin ?? formatPointer(path), `With its segments the filter has more than ${MAX_FILTER_NODES} nodes`, { limit: 'nodes' });
  }
  if ('and' in f) return { and: await Promise.all(f.and.map((g, i) => expand(g, [...path, 'and', i], stack, origin, x))) };
  if ('or' in f) return { or: await Promise.all(f.or.map((g, i) => expand(g, [...path, 'or', i], stack, origin, x))) };
  if ('not' in f) return { not: await expand(f.not, [...path, 'not'], stack, origin, x) };
  if (!('segment' in f)) return f;
  const at = origin ?? formatPointer(path);
  if (stack.includes(f.segment)) {
    const loop = [...stack.slice(stack.indexOf(f.segment)), f.segment];
    throw new FilterError('segment_cycle', at, `Segment ${f.segment} refers to itself: ${loop.join(' -> ')}`, { segments: loop });
  }
  if (stack.length >= MAX_SEGMENT_DEPTH) throw new FilterError('filter_too_complex', at, `Segments refer to segments more than ${MAX_SEGMENT_DEPTH} deep`, { limit: 'segmentDepth' });
  // The promise is cached, so that a segment named in two branches expanded side by side is looked up once.
  let pending = x.cache.get(f.segment);
  if (pending === undefined) {
    pending = x.resolve(f.segment).then((stored) => {
      if (stored === undefined) throw new FilterError('unknown_segment', at, `No segment ${f.segment}`, { segment: f.segment });
      const checked = validateFilter(stored);
      if (!checked.ok) {
        const where = checked.error.pointer || 'its root';
        throw new FilterError(checked.error.code as 'invalid_filter', at, `Segment ${f.segment} is not valid: ${checked.error.message} (at ${where})`);
      }
      return checked.filter;
    });
    x.cache.set(f.segment, pending);
  }
  const inner = await pending;
  return expand(inner, [], [...stack, f.segment], at, x);
}

import { parseDuration } from './duration.ts';
import { builtInField, COUNTRY, EVENT_NAME, KEY, SEGMENT_ID, type FieldKind } from './fields.ts';
import { FilterError } from './filter-error.ts';
import { formatPointer } from './json-pointer.ts';
import { LANGUAGE_TAG } from './language.ts';
import {
  MAX_EVENT_COUNT, MAX_FILTER_DEPTH, MAX_FILTER_NODES, MAX_FILTER_VALUES, MAX_IN_VALUES, MAX_RADIUS_KM, MAX_STRING_LENGTH, MAX_WHERE_PROPERTIES,
} from './limits.ts';
import { CHANNELS, COUNT_OPS, OPS, type Filter, type Op, type Scalar } from './types.ts';

export type FilterResult = { ok: true; filter: Filter } | { ok: false; error: FilterError };

type Path = (string | number)[];

interface Budget {
  nodes: number;
  values: number;
}

/**
 * Checks that `input` (parsed JSON, of any shape) is a filter of the language, within its
 * limits, and returns it as typed. Nothing is coerced: a number given as a string, an
 * unknown member or an operator that does not fit the field or the value is refused, with
 * the pointer to it. `{"segment": ...}` references are checked for form only; expanding
 * them (expandSegments) checks that they exist and do not loop.
 */
export function validateFilter(input: unknown): FilterResult {
  try {
    const budget: Budget = { nodes: 0, values: 0 };
    return { ok: true, filter: node(input, [], 1, budget) };
  } catch (err) {
    if (err instanceof FilterError) return { ok: false, error: err };
    throw err;
  }
}

/** Counts of a filter already valid: its depth and nodes, to check limits again once segments are expanded. */
export function filterSize(f: Filter): { depth: number; nodes: number; values: number } {
  if ('and' in f || 'or' in f) {
    const parts = ('and' in f ? f.and : f.or).map(filterSize);
    return {
      depth: 1 + Math.max(...parts.map((p) => p.depth)),
      nodes: 1 + parts.reduce((n, p) => n + p.nodes, 0),
      values: parts.reduce((n, p) => n + p.values, 0),
    };
  }
  if ('not' in f) {
    const p = filterSize(f.not);
    return { depth: 1 + p.depth, nodes: 1 + p.nodes, values: p.values };
  }
  return { depth: 1, nodes: 1, values: leafValues(f) };
}

/** Values of a leaf, counted as the validator's budget counts them. */
function leafValues(f: Filter): number {
  if ('value' in f && f.value !== undefined) return Array.isArray(f.value) ? f.value.length : 1;
  if ('event' in f) return 1 + Object.keys(f.where ?? {}).length;
  if ('near' in f) return 3;
  return 1;
}

const invalid = (path: Path, detail: string) => new FilterError('invalid_filter', formatPointer(path), detail);
const tooComplex = (path: Path, limit: string, detail: string) => new FilterError('filter_too_complex', formatPointer(path), detail, { limit });

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const KINDS = ['and', 'or', 'not', 'attribute', 'event', 'tag', 'channel', 'near', 'segment'] as const;
const MEMBERS: Record<(typeof KINDS)[number], readonly string[]> = {
  and: ['and'],
  or: ['or'],
  not: ['not'],
  attribute: ['attribute', 'op', 'value'],
  event: ['event', 'count', 'within', 'where'],
  tag: ['tag', 'op', 'value'],
  channel: ['channel'],
  near: ['near'],
  segment: ['segment'],
};

function node(input: unknown, path: Path, depth: number, budget: Budget): Filter {
  // Checked before looking inside, so that hostile nesting stops here and not in a stack overflow.
  if (depth > MAX_FILTER_DEPTH) throw tooComplex(path, 'depth', `The filter is nested more than ${MAX_FILTER_DEPTH} deep`);
  if (++budget.nodes > MAX_FILTER_NODES) throw tooComplex(path, 'nodes', `The filter has more than ${MAX_FILTER_NODES} nodes`);
  if (!isObject(input)) throw invalid(path, 'A filter is a JSON object');
  const kinds = KINDS.filter((k) => Object.hasOwn(input, k));
  if (kinds.length !== 1) {
    throw invalid(path, kinds.length === 0 ? `A filter has one of the members ${KINDS.join(', ')}` : `A filter has one kind, not ${kinds.join(' and ')}`);
  }
  const kind = kinds[0]!;
  for (const member of Object.keys(input)) {
    if (!MEMBERS[kind].includes(member)) throw invalid([...path, member], `Unknown member "${member}" in a filter of kind ${kind}`);
  }
  switch (kind) {
    case 'and':
    case 'or': {
      const list = input[kind];
      if (!Array.isArray(list) || list.length === 0) throw invalid([...path, kind], `"${kind}" takes a non-empty array of filters`);
      const parts = list.map((f, i) => node(f, [...path, kind, i], depth + 1, budget));
      return kind === 'and' ? { and: parts } : { or: parts };
    }
    case 'not':
      return { not: node(input.not, [...path, 'not'], depth + 1, budget) };
    case 'attribute':
      return attribute(input, path, budget);
    case 'event':
      return event(input, path, budget);
    case 'tag':
      return tag(input, path, budget);
    case 'channel':
      if (!CHANNELS.includes(input.channel as never)) throw invalid([...path, 'channel'], `"channel" is one of ${CHANNELS.join(', ')}`);
      budget.values++;
      return { channel: input.channel as (typeof CHANNELS)[number] };
    case 'near':
      return near(input, path, budget);
    case 'segment':
      if (typeof input.segment !== 'string' || !SEGMENT_ID.test(input.segment)) throw invalid([...path, 'segment'], '"segment" is a segment id (seg_...)');
      return { segment: input.segment };
  }
}

function countValues(budget: Budget, n: number, path: Path): void {
  budget.values += n;
  if (budget.values > MAX_FILTER_VALUES) throw tooComplex(path, 'values', `The filter has more than ${MAX_FILTER_VALUES} values`);
}

function op(input: Record<string, unknown>, path: Path): Op {
  // A missing member is pointed at through its object: a pointer must resolve in the input.
  if (!OPS.includes(input.op as never)) throw invalid(Object.hasOwn(input, 'op') ? [...path, 'op'] : path, `"op" is one of ${OPS.join(', ')}`);
  return input.op as Op;
}

/** What the value of each op must be, for a field of the given kind. */
function checkValue(kind: FieldKind, o: Op, value: unknown, has: boolean, path: Path, budget: Budget): Scalar | Scalar[] | undefined {
  const vpath = [...path, 'value'];
  if (o === 'exists' || o === 'not_exists') {
    if (has) throw invalid(vpath, `"${o}" takes no value`);
    countValues(budget, 1, vpath);
    return undefined;
  }
  if (!has) throw invalid(path, `"${o}" needs a value`);
  if (o === 'in' || o === 'not_in') {
    if (!Array.isArray(value) || value.length === 0) throw invalid(vpath, `"${o}" takes a non-empty array`);
    if (value.length > MAX_IN_VALUES) throw tooComplex(vpath, 'inValues', `"${o}" takes at most ${MAX_IN_VALUES} values`);
    countValues(budget, value.length, vpath);
    const first = scalar(kind, value[0], [...vpath, 0]);
    value.forEach((v, i) => {
      scalar(kind, v, [...vpath, i]);
      if (typeof v !== typeof first) throw invalid([...vpath, i], `The values of "${o}" are all of one type`);
    });
    return value as Scalar[];
  }
  countValues(budget, 1, vpath);
  if (o === 'within' || o === 'older_than') {
    if (parseDuration(value) === undefined) throw invalid(vpath, `"${o}" takes a duration such as "7d", "12h" or "30m" (at most ten years)`);
    return value as string;
  }
  if (o === 'before' || o === 'after') {
    if (!Number.isSafeInteger(value)) throw invalid(vpath, `"${o}" takes a time in unix milliseconds`);
    return value as number;
  }
  if (o === 'gt' || o === 'gte' || o === 'lt' || o === 'lte') {
    // Order only on numbers and times: strings would compare by each engine's collation.
    if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(vpath, `"${o}" compares numbers and times only`);
    return scalar(kind, value, vpath);
  }
  if (o === 'contains' || o === 'starts_with') {
    if (typeof value !== 'string') throw invalid(vpath, `"${o}" takes a string`);
    return scalar(kind, value, vpath);
  }
  return scalar(kind, value, vpath);
}

/** One scalar value of a field of this kind. */
function scalar(kind: FieldKind, value: unknown, path: Path): Scalar {
  if (typeof value === 'string') {
    if (value.length > MAX_STRING_LENGTH) throw tooComplex(path, 'stringLength', `A string value has at most ${MAX_STRING_LENGTH} characters`);
    if (kind === 'language' && !LANGUAGE_TAG.test(value)) throw invalid(path, 'A language is a BCP 47 tag or prefix (fr, fr-CA)');
    if (kind === 'country' && !COUNTRY.test(value)) throw invalid(path, 'A country is an ISO 3166-1 alpha-2 code in upper case (FR)');
    if (kind === 'time' || kind === 'number') throw invalid(path, 'This field is a number; strings are not converted');
    return value;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(path, 'Numbers are finite');
    if (kind !== 'custom' && kind !== 'time' && kind !== 'number') throw invalid(path, 'This field is a string');
    // The built-in times and counts are integer columns: PostgreSQL refuses to compare one with 1.5.
    if ((kind === 'time' || kind === 'number') && !Number.isSafeInteger(value)) throw invalid(path, 'This field holds whole numbers (times in unix milliseconds)');
    return value;
  }
  if (typeof value === 'boolean') {
    if (kind !== 'custom') throw invalid(path, 'This field is not a boolean');
    return value;
  }
  throw invalid(path, 'A value is a string, a number or a boolean');
}

function attribute(input: Record<string, unknown>, path: Path, budget: Budget): Filter {
  const name = input.attribute;
  if (typeof name !== 'string' || !KEY.test(name)) throw invalid([...path, 'attribute'], 'An attribute is a key of 1 to 64 letters, digits or _ - . : $');
  const o = op(input, path);
  const builtIn = builtInField(name);
  if (builtIn && !builtIn.ops.includes(o)) throw invalid([...path, 'op'], `"${name}" takes ${builtIn.ops.join(', ')}`);
  const kind: FieldKind = builtIn ? builtIn.kind : 'custom';
  // Boolean attributes are equal or not, nothing else: "gt true" is not a question.
  if (typeof input.value === 'boolean' && o !== 'eq' && o !== 'neq') throw invalid([...path, 'value'], `"${o}" does not apply to a boolean`);
  const value = checkValue(kind, o, input.value, Object.hasOwn(input, 'value'), path, budget);
  if (Array.isArray(value) && typeof value[0] === 'boolean') throw invalid([...path, 'value'], `"${o}" does not apply to booleans: use eq`);
  return value === undefined ? { attribute: name, op: o } : { attribute: name, op: o, value };
}

function tag(input: Record<string, unknown>, path: Path, budget: Budget): Filter {
  const key = input.tag;
  // The subscriptions API's grammar for tag keys: 1 to 64 characters, no NUL.
  if (typeof key !== 'string' || !/^[^\u0000]{1,64}$/.test(key)) throw invalid([...path, 'tag'], 'A tag is a key of 1 to 64 characters');
  const o = op(input, path);
  const allowed: Op[] = ['eq', 'neq', 'in', 'not_in', 'exists', 'not_exists', 'contains', 'starts_with'];
  if (!allowed.includes(o)) throw invalid([...path, 'op'], `Tags are strings: they take ${allowed.join(', ')}`);
  const value = checkValue('string', o, input.value, Object.hasOwn(input, 'value'), path, budget);
  const strings = value === undefined ? [] : Array.isArray(value) ? value : [value];
  strings.forEach((v, i) => {
    if (typeof v !== 'string') throw invalid(Array.isArray(value) ? [...path, 'value', i] : [...path, 'value'], 'Tag values are strings');
  });
  return value === undefined ? { tag: key, op: o } : { tag: key, op: o, value: value as string | string[] };
}

function event(input: Record<string, unknown>, path: Path, budget: Budget): Filter {
  const name = input.event;
  if (typeof name !== 'string' || !EVENT_NAME.test(name)) throw invalid([...path, 'event'], 'An event name is 1 to 128 letters, digits or _ - . : $');
  const out: Filter = { event: name };
  countValues(budget, 1, [...path, 'event']);
  if (Object.hasOwn(input, 'count')) {
    const c = input.count;
    const cpath = [...path, 'count'];
    if (!isObject(c) || Object.keys(c).length !== 1) throw invalid(cpath, `"count" is one comparison: {"${COUNT_OPS.join('" | "')}": n}`);
    const [o, n] = Object.entries(c)[0]!;
    if (!COUNT_OPS.includes(o as never)) throw invalid([...cpath, o], `"count" compares with ${COUNT_OPS.join(', ')}`);
    if (!Number.isSafeInteger(n) || (n as number) < 0 || (n as number) > MAX_EVENT_COUNT) throw invalid([...cpath, o], `A count is a whole number from 0 to ${MAX_EVENT_COUNT}`);
    out.count = { [o]: n as number };
  }
  if (Object.hasOwn(input, 'within')) {
    if (parseDuration(input.within) === undefined) throw invalid([...path, 'within'], '"within" is a duration such as "7d", "12h" or "30m" (at most ten years)');
    out.within = input.within as string;
  }
  if (Object.hasOwn(input, 'where')) {
    const w = input.where;
    const wpath = [...path, 'where'];
    if (!isObject(w) || Object.keys(w).length === 0) throw invalid(wpath, '"where" is a non-empty object of property values');
    if (Object.keys(w).length > MAX_WHERE_PROPERTIES) throw tooComplex(wpath, 'whereProperties', `"where" has at most ${MAX_WHERE_PROPERTIES} properties`);
    // fromEntries defines own properties: assigning where["__proto__"] would set the prototype instead and drop the test.
    const where: Record<string, Scalar> = Object.fromEntries(
      Object.entries(w).map(([k, v]) => {
        if (!KEY.test(k)) throw invalid([...wpath, k], 'A property name is 1 to 64 letters, digits or _ - . : $');
        return [k, scalar('custom', v, [...wpath, k])];
      }),
    );
    countValues(budget, Object.keys(where).length, wpath);
    out.where = where;
  }
  return out;
}

function near(input: Record<string, unknown>, path: Path, budget: Budget): Filter {
  const n = input.near;
  const npath = [...path, 'near'];
  if (!isObject(n)) throw invalid(npath, '"near" is {"lat", "lon", "radiusKm"}');
  for (const k of Object.keys(n)) if (!['lat', 'lon', 'radiusKm'].includes(k)) throw invalid([...npath, k], `Unknown member "${k}" of "near"`);
  const num = (k: string, min: number, max: number, open = false): number => {
    const v = n[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (open && v === min)) throw invalid(Object.hasOwn(n, k) ? [...npath, k] : npath, `"${k}" is a number from ${min} to ${max}`);
    return v;
  };
  countValues(budget, 3, npath);
  return { near: { lat: num('lat', -90, 90), lon: num('lon', -180, 180), radiusKm: num('radiusKm', 0, MAX_RADIUS_KM, true) } };
}

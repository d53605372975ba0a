/**
 * The segment builder's model of an audience filter (docs/audience.md): groups of
 * conditions joined by and/or, each part negatable, turned into the filter language's
 * JSON and back. Each part knows the JSON pointer it becomes, so a refusal's pointer
 * (`/filter/and/1/value`) is shown at the condition it names.
 */
export type ValueType = 'string' | 'number' | 'boolean';
export type Part =
  | { id: number; kind: 'group'; join: 'and' | 'or'; not: boolean; parts: Part[] }
  | { id: number; kind: 'attribute'; not: boolean; name: string; op: string; value: string; type: ValueType }
  | { id: number; kind: 'tag'; not: boolean; name: string; op: string; value: string }
  | { id: number; kind: 'event'; not: boolean; name: string; cmp: string; count: string; within: string }
  | { id: number; kind: 'channel'; not: boolean; channel: string };
export type Kind = Part['kind'];

export const ATTRIBUTE_OPS = ['eq', 'neq', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'contains', 'starts_with', 'before', 'after', 'within', 'older_than', 'exists', 'not_exists'];
export const TAG_OPS = ['eq', 'neq', 'in', 'not_in', 'exists', 'not_exists', 'contains', 'starts_with'];
export const COUNT_OPS = ['gte', 'gt', 'eq', 'neq', 'lt', 'lte'];
export const CHANNELS = ['webpush', 'apns', 'fcm'];
const LISTS = new Set(['in', 'not_in']);
const NO_VALUE = new Set(['exists', 'not_exists']);

let nextId = 1;
export function newPart(kind: Kind): Part {
  const id = nextId++;
  switch (kind) {
    case 'group':
      return { id, kind, join: 'and', not: false, parts: [] };
    case 'attribute':
      return { id, kind, not: false, name: '', op: 'eq', value: '', type: 'string' };
    case 'tag':
      return { id, kind, not: false, name: '', op: 'eq', value: '' };
    case 'event':
      return { id, kind, not: false, name: '', cmp: 'gte', count: '1', within: '' };
    case 'channel':
      return { id, kind, not: false, channel: 'webpush' };
  }
}

/**
 * A value as the operator typed it, of the type they chose: never guessed from its text.
 * Text that is no number (or neither true nor false) is null, for the API to refuse at its
 * condition.
 */
export function typedValue(text: string, type: ValueType): unknown {
  if (type === 'number') return text.trim() === '' || !Number.isFinite(Number(text)) ? null : Number(text);
  if (type === 'boolean') return text === 'true' ? true : text === 'false' ? false : null;
  return text;
}

function listValue(text: string, type: ValueType): unknown[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => typedValue(s, type));
}

/**
 * The filter of a part, and the pointer of every part under `pointer` in `pointers`. An
 * empty group is left for the server to refuse (`and` needs at least one), at its place.
 */
export function toFilter(part: Part, pointer: string, pointers: Map<number, string>): unknown {
  let inner = pointer;
  const wrap = (f: unknown) => (part.not ? { not: f } : f);
  if (part.not) inner = `${pointer}/not`;
  pointers.set(part.id, inner);
  switch (part.kind) {
    case 'group':
      return wrap({ [part.join]: part.parts.map((p, i) => toFilter(p, `${inner}/${part.join}/${i}`, pointers)) });
    case 'attribute':
    case 'tag': {
      const type = part.kind === 'attribute' ? part.type : 'string';
      const f: Record<string, unknown> = { [part.kind]: part.name, op: part.op };
      if (!NO_VALUE.has(part.op)) f.value = LISTS.has(part.op) ? listValue(part.value, type) : typedValue(part.value, type);
      return wrap(f);
    }
    case 'event': {
      const f: Record<string, unknown> = { event: part.name };
      if (part.count !== '') f.count = { [part.cmp]: Number(part.count) };
      if (part.within !== '') f.within = part.within;
      return wrap(f);
    }
    case 'channel':
      return wrap({ channel: part.channel });
  }
}

/** The part a refusal's pointer names: the deepest whose pointer starts it. */
export function partAt(pointers: Map<number, string>, pointer: string): number | undefined {
  let best: number | undefined;
  let length = -1;
  for (const [id, p] of pointers) {
    if ((pointer === p || pointer.startsWith(`${p}/`)) && p.length > length) {
      best = id;
      length = p.length;
    }
  }
  return best;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown) => (Array.isArray(v) ? v.map(String).join(', ') : v === undefined ? '' : String(v));
const typeOf = (v: unknown): ValueType => {
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === 'number' ? 'number' : typeof first === 'boolean' ? 'boolean' : 'string';
};

/**
 * A saved filter as parts, or undefined for one the builder does not draw (near, a
 * segment reference, an event's `where`): such a segment is shown as its JSON only.
 */
export function fromFilter(filter: unknown): Part | undefined {
  if (!isObject(filter)) return undefined;
  if ('not' in filter) {
    const inner = fromFilter(filter.not);
    if (!inner || inner.not) return undefined;
    return { ...inner, not: true };
  }
  for (const join of ['and', 'or'] as const) {
    if (Array.isArray(filter[join])) {
      const parts = (filter[join] as unknown[]).map(fromFilter);
      if (parts.some((p) => !p)) return undefined;
      return { id: nextId++, kind: 'group', join, not: false, parts: parts as Part[] };
    }
  }
  if (typeof filter.attribute === 'string') return { id: nextId++, kind: 'attribute', not: false, name: filter.attribute, op: String(filter.op), value: text(filter.value), type: typeOf(filter.value) };
  if (typeof filter.tag === 'string') return { id: nextId++, kind: 'tag', not: false, name: filter.tag, op: String(filter.op), value: text(filter.value) };
  if (typeof filter.event === 'string' && filter.where === undefined) {
    const count = isObject(filter.count) ? Object.entries(filter.count)[0] : undefined;
    return { id: nextId++, kind: 'event', not: false, name: filter.event, cmp: count ? count[0] : 'gte', count: count ? String(count[1]) : '', within: typeof filter.within === 'string' ? filter.within : '' };
  }
  if (typeof filter.channel === 'string') return { id: nextId++, kind: 'channel', not: false, channel: filter.channel };
  return undefined;
}

/** The root is always a group, so conditions can be added beside a lone one. */
export function rootOf(filter: unknown): Part | undefined {
  const part = fromFilter(filter);
  if (!part) return undefined;
  return part.kind === 'group' && !part.not ? part : { id: nextId++, kind: 'group', join: 'and', not: false, parts: [part] };
}

/** `part` with the part of id `id` replaced by `change(it)` (undefined removes it). */
export function update(part: Part, id: number, change: (p: Part) => Part | undefined): Part | undefined {
  if (part.id === id) return change(part);
  if (part.kind !== 'group') return part;
  return { ...part, parts: part.parts.map((p) => update(p, id, change)).filter((p): p is Part => p !== undefined) };
}

/**
 * fast-check arbitraries from the JSON schemas of an OpenAPI 3.1 document: values a schema
 * accepts, and values one step away from them (a required member dropped, an unknown one
 * added, a member of the wrong type or too long). test/api/openapi-fuzz.test.ts sends both.
 * Covers the keywords the document uses; whether a value is valid is decided afterwards
 * by a real validator (Ajv), so a generator that errs only changes which check applies.
 */
import fc from 'fast-check';

export type Schema = Record<string, any>;

/** Replaces every `$ref` into `#/components/schemas/` by the schema it names. */
export function deref(doc: Schema, schema: unknown): any {
  if (Array.isArray(schema)) return schema.map((s) => deref(doc, s));
  if (typeof schema !== 'object' || schema === null) return schema;
  const s = schema as Schema;
  if (typeof s.$ref === 'string') {
    const name = /^#\/components\/schemas\/(.+)$/.exec(s.$ref)?.[1];
    if (!name || !doc.components?.schemas?.[name]) throw new Error(`unresolved $ref ${s.$ref}`);
    return deref(doc, doc.components.schemas[name]);
  }
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, deref(doc, v)]));
}

const MAX_ITEMS = 4;
const MAX_KEYS = 4;
/** Strings longer than this are only made at their exact maximum (boundaries matter, lengths between do not). */
const SHORT = 24;

/** Code points, as JSON Schema counts string length. */
const codePoints = (s: string) => [...s].length;

function stringArb(s: Schema): fc.Arbitrary<string> {
  const min: number = s.minLength ?? 0;
  const max: number = s.maxLength ?? 64;
  if (s.format === 'date-time') {
    return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2030-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString());
  }
  const fits = (v: string) => codePoints(v) >= min && codePoints(v) <= max;
  if (typeof s.pattern === 'string') {
    // fast-check cannot generate from lookarounds: generate from the pattern without them
    // (a superset), then keep what the real pattern accepts.
    const pattern = new RegExp(s.pattern, 'u');
    const generator = new RegExp(s.pattern.replace(/\(\?<?[=!][^()]*\)/g, ''), 'u');
    return fc.stringMatching(generator, { size: 'small' }).filter((v) => fits(v) && pattern.test(v));
  }
  const unit = fc.oneof({ weight: 3, arbitrary: fc.constant('grapheme-ascii' as const) }, { weight: 1, arbitrary: fc.constant('binary' as const) });
  return unit.chain((u) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.string({ unit: u, minLength: min, maxLength: Math.max(min, Math.min(max, SHORT)) }) },
      { weight: 1, arbitrary: fc.string({ unit: u, minLength: max, maxLength: max }) },
    ),
  ).filter(fits);
}

/** Values that the schema should accept. */
export function validValue(s: Schema, depth = 0): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum);
  for (const key of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(s[key])) return fc.oneof(...s[key].map((m: Schema) => validValue({ ...without(s, key), ...m }, depth)));
  }
  if (Array.isArray(s.type)) return fc.oneof(...s.type.map((t: string) => validValue({ ...s, type: t }, depth)));
  switch (s.type) {
    case 'string':
      return stringArb(s);
    case 'integer':
      return fc.integer({ min: s.minimum ?? -1_000_000, max: s.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: s.minimum ?? -1e9, max: s.maximum ?? 1e9, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(validValue(s.items ?? {}, depth + 1), { minLength: s.minItems ?? 0, maxLength: Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? MAX_ITEMS, MAX_ITEMS)) });
    case 'object':
      return objectArb(s, depth);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function without(s: Schema, key: string): Schema {
  const { [key]: _, ...rest } = s;
  return rest;
}

function objectArb(s: Schema, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const properties: Record<string, Schema> = s.properties ?? {};
  const required: string[] = s.required ?? [];
  const names = Object.keys(properties);
  if (names.length > 0) {
    const model = Object.fromEntries(names.map((n) => [n, validValue(properties[n]!, depth + 1)]));
    return fc.record(model, { requiredKeys: required.filter((r) => names.includes(r)) }) as fc.Arbitrary<Record<string, unknown>>;
  }
  // A map: keys by propertyNames, values by additionalProperties.
  const valueSchema = typeof s.additionalProperties === 'object' ? s.additionalProperties : {};
  const key = s.propertyNames ? (validValue({ type: 'string', ...s.propertyNames }) as fc.Arbitrary<string>) : fc.string({ minLength: 1, maxLength: 16 });
  const minKeys = s.minProperties ?? 0;
  const maxKeys = Math.max(minKeys, Math.min(s.maxProperties ?? MAX_KEYS, MAX_KEYS));
  return fc.dictionary(key, validValue(valueSchema, depth + 1), { minKeys, maxKeys, noNullPrototype: true });
}

/** Values to put where another JSON type is asked for; many are what a lax server would convert ("1", 1, true, [x]). */
const WRONG_TYPED: unknown[] = [0, 1, -1, 1.5, 1e300, true, false, null, '', 'x', '1', 'true', 'null', [], ['x'], [1], {}, { a: 1 }];

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** A value of another type than `s` allows (when `s` names its types). */
function wrongTypeFor(s: Schema, pick: number): unknown {
  const types: string[] = Array.isArray(s.type) ? s.type : typeof s.type === 'string' ? [s.type] : [];
  const allowed = (v: unknown) => types.includes(jsonType(v)) || (types.includes('number') && jsonType(v) === 'integer');
  const pool = types.length ? WRONG_TYPED.filter((v) => !allowed(v)) : WRONG_TYPED;
  return structuredClone(pool[pick % pool.length]);
}

type Mutation = 'drop' | 'extra' | 'wrongType' | 'tooLong' | 'tooShort';

/** A valid value (of `s`, or from `from`) changed in one place so that the schema should refuse it. */
export function invalidValue(s: Schema, from: fc.Arbitrary<unknown> = validValue(s)): fc.Arbitrary<unknown> {
  return fc
    .tuple(from, fc.constantFrom<Mutation>('drop', 'extra', 'wrongType', 'wrongType', 'tooLong', 'tooShort'), fc.nat(), fc.nat())
    .map(([value, mutation, pick, wrongPick]) => mutate(s, structuredClone(value), mutation, pick, wrongPick));
}

/** Every place in `value` with the schema that governs it. */
function places(s: Schema, value: unknown, path: (string | number)[] = [], out: { path: (string | number)[]; schema: Schema; value: unknown }[] = []) {
  out.push({ path, schema: s, value });
  if (Array.isArray(value) && s.items) value.forEach((v, i) => places(s.items, v, [...path, i], out));
  else if (value && typeof value === 'object' && s.properties) {
    for (const [k, v] of Object.entries(value)) if (s.properties[k]) places(s.properties[k], v, [...path, k], out);
  }
  return out;
}

function mutate(s: Schema, value: unknown, mutation: Mutation, pick: number, wrongPick: number): unknown {
  const all = places(s, value);
  const candidates = all.filter((place) => {
    const { schema: sub, value: v } = place;
    switch (mutation) {
      case 'drop':
        return Array.isArray(sub.required) && sub.required.length > 0 && v && typeof v === 'object';
      case 'extra':
        return sub.additionalProperties === false && v && typeof v === 'object' && !Array.isArray(v);
      case 'tooLong':
        return typeof sub.maxLength === 'number' || typeof sub.maxItems === 'number' || typeof sub.maximum === 'number';
      case 'tooShort':
        return (sub.minLength ?? 0) > 0 || (sub.minItems ?? 0) > 0 || typeof sub.minimum === 'number';
      default:
        // A member rather than the whole value: where a server might convert instead of refuse.
        return place.path.length > 0 || all.length === 1;
    }
  });
  const place = candidates[pick % Math.max(1, candidates.length)];
  // Nothing to drop, add or stretch here: the whole value gets the wrong type instead.
  if (!place) return wrongTypeFor(s, wrongPick);
  const { schema: sub, value: v } = place;
  let next: unknown = wrongTypeFor(sub, wrongPick);
  if (mutation === 'drop') {
    const o = { ...(v as Record<string, unknown>) };
    delete o[sub.required[pick % sub.required.length]];
    next = o;
  } else if (mutation === 'extra') {
    next = { ...(v as Record<string, unknown>), __unknown: 1 };
  } else if (mutation === 'tooLong') {
    if (typeof sub.maxLength === 'number') next = 'x'.repeat(sub.maxLength + 1);
    else if (typeof sub.maxItems === 'number') next = Array.from({ length: sub.maxItems + 1 }, () => (Array.isArray(v) ? v[0] : null));
    else next = sub.maximum + 1;
  } else if (mutation === 'tooShort') {
    if ((sub.minLength ?? 0) > 0) next = 'x'.repeat(sub.minLength - 1);
    else if ((sub.minItems ?? 0) > 0) next = [];
    else next = sub.minimum - 1;
  }
  return setAt(value, place.path, next);
}

function setAt(root: unknown, path: (string | number)[], next: unknown): unknown {
  if (path.length === 0) return next;
  let node = root as any;
  for (const step of path.slice(0, -1)) node = node[step];
  node[path[path.length - 1]!] = next;
  return root;
}

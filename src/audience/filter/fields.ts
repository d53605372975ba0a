import type { Op } from './types.ts';

/**
 * What an attribute test compares, by kind:
 * - `string`: custom attributes whose value is a string, and `timezone`. Case-sensitive.
 * - `language`: BCP 47 tags, case-insensitive, prefixes at subtag boundaries (language.ts).
 * - `country`: ISO 3166-1 alpha-2 codes, upper case as stored.
 * - `number`, `time` (unix ms), `boolean`: custom attributes of those types, and the
 *   built-in times and counts.
 */
export type FieldKind = 'custom' | 'string' | 'language' | 'country' | 'time' | 'number';

export interface BuiltInField {
  kind: Exclude<FieldKind, 'custom'>;
  /** The column of `users`. */
  column: 'language' | 'country' | 'timezone' | 'created_at' | 'last_seen_at' | 'session_count';
  ops: readonly Op[];
}

const PRESENCE = ['exists', 'not_exists'] as const;
const EQUALITY = ['eq', 'neq', 'in', 'not_in'] as const;
const ORDER = ['gt', 'gte', 'lt', 'lte'] as const;
const TIME = ['before', 'after', 'within', 'older_than'] as const;

/** The built-in fields of a user; their names are reserved (a custom attribute of that name is not reachable by a filter). */
export const BUILT_IN_FIELDS: Record<string, BuiltInField> = {
  language: { kind: 'language', column: 'language', ops: [...EQUALITY, ...PRESENCE, 'starts_with'] },
  country: { kind: 'country', column: 'country', ops: [...EQUALITY, ...PRESENCE] },
  timezone: { kind: 'string', column: 'timezone', ops: [...EQUALITY, ...PRESENCE, 'contains', 'starts_with'] },
  createdAt: { kind: 'time', column: 'created_at', ops: ['eq', 'neq', ...ORDER, ...PRESENCE, ...TIME] },
  lastSeenAt: { kind: 'time', column: 'last_seen_at', ops: ['eq', 'neq', ...ORDER, ...PRESENCE, ...TIME] },
  sessionCount: { kind: 'number', column: 'session_count', ops: [...EQUALITY, ...ORDER, ...PRESENCE] },
};

export function builtInField(name: string): BuiltInField | undefined {
  return Object.hasOwn(BUILT_IN_FIELDS, name) ? BUILT_IN_FIELDS[name] : undefined;
}

/**
 * Keys of custom attributes, event properties and tags as a filter names them: letters,
 * digits and `_ - . : $`, 1 to 64, not starting with `.`. They go into SQL only as bound
 * parameters; the grammar keeps them also free of the quotes and backslashes that a
 * SQLite JSON path (`$."key"`) would have to escape.
 */
export const KEY = /^[A-Za-z0-9_$:-][A-Za-z0-9_.$:-]{0,63}$/;

/** Event names: the same alphabet, up to 128. */
export const EVENT_NAME = /^[A-Za-z0-9_$:-][A-Za-z0-9_.$:-]{0,127}$/;

/** Segment ids as the API issues them. */
export const SEGMENT_ID = /^seg_[A-Za-z0-9_-]{1,64}$/;

export const COUNTRY = /^[A-Z]{2}$/;

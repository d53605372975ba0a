import { ApiError } from '../../errors/api-error.ts';
import type { ErrorCode } from '../../errors/catalogue.ts';
import type { AttributeType } from '../../store/schema.ts';
import type { UserInput } from './user-input.ts';

/**
 * Limits on custom attributes. They keep one user's row and its typed index rows small
 * enough that a segment over a million users stays an index range, and a hostile client
 * cannot grow a user without bound.
 */
export const ATTRIBUTE_LIMITS = {
  /** Custom attributes per user, after the merge: Braze and OneSignal allow similar counts; more is a data warehouse. */
  maxCount: 100,
  /** Key length, in characters: keys are names a segment refers to, not data. */
  maxKeyLength: 64,
  /** String value length, in characters: fits the btree index on user_attributes(str) on PostgreSQL. */
  maxValueLength: 1_024,
} as const;

/** A letter, then letters, digits, `_`, `.` or `-`: safe in a segment filter, a Liquid template and a CSV header. */
export const ATTRIBUTE_KEY_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/**
 * Names that are the user's own fields, or the API's: an attribute named `country` would
 * be a second country that segments and templates would confuse with the first.
 */
export const RESERVED_KEYS = new Set(['externalId', 'language', 'timezone', 'country', 'location', 'lat', 'lon', 'createdAt', 'updatedAt', 'lastSeenAt', 'sessionCount', 'subscriptions', 'userId', 'userIdHash', 'attributes']);

/**
 * RFC 3339 §5.6 date-time (`T` and `Z` may be lower case, §5.6 NOTE); the calendar is
 * checked apart, since the grammar admits February 30.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;

/** Unix ms of an RFC 3339 date-time, or undefined when the string is not one. */
export function rfc3339Time(value: string): number | undefined {
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  // Leap seconds (60) are allowed by §5.7 and read as the next second, as Date.parse does.
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 60) return undefined;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return undefined;
  const ms = Date.parse(value.toUpperCase());
  return Number.isNaN(ms) ? undefined : ms;
}

/** One custom attribute as stored: in the JSON the API returns, and as a typed row. */
export interface TypedAttribute {
  value: string | number | boolean;
  type: AttributeType;
  str: string | null;
  num: number | null;
}

/** The checked, normalised change a request asks for: `undefined` keeps, `null` removes. */
export interface UserPatch {
  attributes: Map<string, TypedAttribute | null>;
  language?: string | null;
  timezone?: string | null;
  country?: string | null;
  location?: { lat: number; lon: number } | null;
}

function refuse(code: ErrorCode, pointer: string, detail: string): never {
  throw new ApiError(code, `${pointer.slice(2).replace(/\//g, '.')}: ${detail}`, { errors: [{ pointer, field: `body.${pointer.slice(2).replace(/\//g, '.')}`, detail, message: detail }] });
}

// RFC 6901 §4: `~` and `/` in a key are escaped in its pointer.
const token = (key: string) => encodeURIComponent(key.replace(/~/g, '~0').replace(/\//g, '~1'));

export function typedAttribute(key: string, value: string | number | boolean): TypedAttribute {
  const pointer = `#/attributes/${token(key)}`;
  if (typeof value === 'boolean') return { value, type: 'boolean', str: null, num: value ? 1 : 0 };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) refuse('invalid_attribute', pointer, 'must be a finite number');
    return { value, type: 'number', str: null, num: value };
  }
  if (value.length > ATTRIBUTE_LIMITS.maxValueLength) refuse('invalid_attribute', pointer, `is longer than ${ATTRIBUTE_LIMITS.maxValueLength} characters`);
  // PostgreSQL text cannot hold NUL; refused on both engines so they store the same.
  if (value.includes('\u0000')) refuse('invalid_attribute', pointer, 'must not contain the NUL character (U+0000)');
  const time = rfc3339Time(value);
  // The contract: a string that is an RFC 3339 date-time is a time, so "signed up before" is a range.
  if (time !== undefined) return { value, type: 'time', str: null, num: time };
  return { value, type: 'string', str: value, num: null };
}

/** BCP 47 (RFC 5646) well-formedness as ECMA-402 reads it, in its canonical case and form (`en-us` -> `en-US`). */
export function canonicalLanguage(tag: string): string {
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    if (canonical) return canonical;
  } catch {
    /* a RangeError: not well-formed */
  }
  refuse('invalid_language', '#/language', `"${tag}" is not a well-formed BCP 47 language tag (for example fr-CA)`);
}

// An IANA name: Area/Location (Etc/GMT+5, America/Argentina/Buenos_Aires) or a bare name
// (UTC, EST5EDT). Newer V8 also accepts offsets (`+05:30`) as time zones; they are not
// places, carry no daylight-saving rules, and are refused on every Node alike.
const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/**
 * An IANA time zone, kept as the client names it. Validated by the runtime's own tz data
 * (Intl.DateTimeFormat), not by `Intl.supportedValuesOf('timeZone')`: on Node 20 that list
 * holds only ICU's canonical names, so it lacks `UTC` and `Asia/Kolkata` (Firefox's name;
 * Chrome says `Asia/Calcutta`), which browsers do send. The name is not rewritten to the
 * runtime's canonical one: Node 20 turns `Asia/Kolkata` into `Asia/Calcutta` and newer
 * Node keeps it, so a stored value would change with the Node version. Only the letter
 * case is fixed (`utc` -> `UTC`), when the runtime's name differs from it by case alone.
 */
export function ianaTimezone(name: string): string {
  let resolved: string | undefined;
  if (IANA_NAME.test(name)) {
    try {
      resolved = new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
    } catch {
      /* a RangeError: unknown zone */
    }
  }
  if (resolved === undefined) refuse('invalid_timezone', '#/timezone', `"${name}" is not an IANA time zone (for example Europe/Paris)`);
  return resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
}

/**
 * ISO 3166-1 alpha-2. Refused unless two ASCII letters; stored upper case, since the
 * standard's codes are upper case and `fr` and `FR` name the same country (a segment on
 * `country = FR` must find both). That is the only change made: `FRA`, `250` or `F1` are
 * refused, not converted, because a guess at another code system would misfile people.
 */
export function isoCountry(code: string): string {
  if (!/^[A-Za-z]{2}$/.test(code)) refuse('invalid_country', '#/country', `"${code}" is not an ISO 3166-1 alpha-2 code (two letters, for example FR)`);
  return code.toUpperCase();
}

/**
 * Checks a request's fields and returns the change it asks for, or throws the first rule
 * it breaks, with a JSON pointer to the field.
 */
export function validateUser(input: Omit<UserInput, 'userIdHash'>): UserPatch {
  const attributes = new Map<string, TypedAttribute | null>();
  for (const [key, value] of Object.entries(input.attributes ?? {})) {
    const pointer = `#/attributes/${token(key)}`;
    if (!ATTRIBUTE_KEY_PATTERN.test(key)) {
      refuse('invalid_attribute', pointer, `the key must be 1 to ${ATTRIBUTE_LIMITS.maxKeyLength} letters, digits, "_", "." or "-", starting with a letter`);
    }
    if (RESERVED_KEYS.has(key)) refuse('invalid_attribute', pointer, `"${key}" is a user field, not a custom attribute; set it at the top level`);
    attributes.set(key, value === null ? null : typedAttribute(key, value));
  }
  if (attributes.size > ATTRIBUTE_LIMITS.maxCount) refuse('too_many_attributes', '#/attributes', `at most ${ATTRIBUTE_LIMITS.maxCount} attributes per user`);
  const patch: UserPatch = { attributes };
  if (input.language !== undefined) patch.language = input.language === null ? null : canonicalLanguage(input.language);
  if (input.timezone !== undefined) patch.timezone = input.timezone === null ? null : ianaTimezone(input.timezone);
  if (input.country !== undefined) patch.country = input.country === null ? null : isoCountry(input.country);
  if (input.location !== undefined) patch.location = input.location;
  return patch;
}

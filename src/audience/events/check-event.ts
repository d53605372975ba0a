import type { ErrorCode } from '../../errors/catalogue.ts';
import {
  CLOCK_SKEW_ALLOWANCE,
  EVENT_ID_PATTERN,
  EVENT_NAME_PATTERN,
  MAX_PROPERTIES,
  MAX_PROPERTIES_BYTES,
  MAX_PROPERTY_STRING_LENGTH,
  MAX_USER_ID_LENGTH,
  PROPERTY_KEY_PATTERN,
  RFC3339_DATE_TIME,
} from './limits.ts';

/** One event as POST /track carries it, after the route's schema checked its JSON types. */
export interface TrackedEvent {
  userId: string;
  name: string;
  properties?: Record<string, unknown>;
  /** RFC 3339; when it happened. Now when absent. */
  time?: string;
  /** The sender's id: the same id again is the same event. */
  id?: string;
}

/** An event left out of a request, and why: `pointer` is an RFC 6901 JSON pointer as a URI fragment (RFC 9457 §3). */
export interface Refusal {
  index: number;
  code: ErrorCode;
  pointer: string;
}

/** An event as it is stored, before its user's row is known. */
export interface CheckedEvent {
  userId: string;
  name: string;
  at: number;
  properties: string;
  eventId: string | null;
}

export interface CheckRules {
  now: number;
  /** ms; an event older than this is past the retention and would be pruned at once. */
  retention: number;
  /** With the publishable key: the one user the request may speak for. */
  onlyUser?: string;
}

/**
 * Checks one event against the limits in limits.ts: the checked event, or the refusal of
 * the first rule it breaks. Pure: the clock is a number the caller gives.
 */
export function checkEvent(e: TrackedEvent, index: number, rules: CheckRules): CheckedEvent | Refusal {
  const refuse = (code: ErrorCode, ...path: string[]): Refusal => ({ index, code, pointer: pointerOf(['events', String(index), ...path]) });

  if (e.userId.length === 0 || e.userId.length > MAX_USER_ID_LENGTH) return refuse('invalid_event_user', 'userId');
  if (rules.onlyUser !== undefined && e.userId !== rules.onlyUser) return refuse('event_user_not_allowed', 'userId');
  if (!EVENT_NAME_PATTERN.test(e.name)) return refuse('invalid_event_name', 'name');
  if (e.id !== undefined && !EVENT_ID_PATTERN.test(e.id)) return refuse('invalid_event_id', 'id');

  let at = rules.now;
  if (e.time !== undefined) {
    const ms = readTime(e.time);
    if (ms === undefined) return refuse('invalid_event_time', 'time');
    if (ms > rules.now + CLOCK_SKEW_ALLOWANCE) return refuse('event_in_future', 'time');
    if (ms < rules.now - rules.retention) return refuse('event_expired', 'time');
    // Within the allowance, a clock that runs ahead is read as now: nothing is stored in the future.
    at = Math.min(ms, rules.now);
  }

  const properties = e.properties ?? {};
  const keys = Object.keys(properties);
  if (keys.length > MAX_PROPERTIES) return refuse('event_properties_too_large', 'properties');
  for (const key of keys) {
    if (!PROPERTY_KEY_PATTERN.test(key)) return refuse('invalid_event_property', 'properties', key);
    const value = properties[key];
    const scalar = value === null || typeof value === 'boolean' || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
    if (!scalar) return refuse('invalid_event_property', 'properties', key);
    if (typeof value === 'string' && value.length > MAX_PROPERTY_STRING_LENGTH) return refuse('invalid_event_property', 'properties', key);
  }
  const json = JSON.stringify(properties);
  if (Buffer.byteLength(json, 'utf8') > MAX_PROPERTIES_BYTES) return refuse('event_properties_too_large', 'properties');

  return { userId: e.userId, name: e.name, at, properties: json, eventId: e.id ?? null };
}

/**
 * An RFC 3339 §5.6 date-time as unix ms, or undefined. V8's Date.parse rolls what no
 * calendar has over into the next month (February 30 is read as March 2): each field is
 * checked against its range first. A leap second (23:59:60, §5.7) is refused: no store
 * of unix ms can hold it.
 */
export function readTime(text: string): number | undefined {
  const m = RFC3339_DATE_TIME.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return undefined;
  if (m[7] && (Number(m[7].slice(1, 3)) > 23 || Number(m[7].slice(4, 6)) > 59)) return undefined;
  const ms = Date.parse(text.toUpperCase());
  return Number.isNaN(ms) ? undefined : ms;
}

export function isRefusal(r: CheckedEvent | Refusal): r is Refusal {
  return 'code' in r;
}

/** RFC 6901: `~` as `~0` and `/` as `~1`; then as a URI fragment (RFC 6901 §6), as the API's other pointers are. */
function pointerOf(tokens: string[]): string {
  return `#/${tokens.map((t) => encodeURIComponent(t.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/')}`;
}

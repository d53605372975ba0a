import type { AttributeType } from '../../store/schema.ts';
import { parseDuration } from './duration.ts';
import { builtInField } from './fields.ts';
import { circleTest, withinCircle } from './geo.ts';
import { languageEquals, languageStartsWith } from './language.ts';
import { testsSubscriptions } from './scope.ts';
import { compareCount, countComparison } from './count.ts';
import type { AttributeFilter, EventFilter, Filter, Scalar, TagFilter } from './types.ts';

/**
 * The filter evaluated over plain objects: the definition of what a filter means, which
 * the SQL compiler (sql/) must agree with on every input (test/audience/).
 */

export interface AttributeValue {
  type: AttributeType;
  /** A string for strings, a number for numbers and times (unix ms), a boolean for booleans. */
  value: string | number | boolean;
}

export interface AudienceEvent {
  name: string;
  at: number;
  properties: Record<string, unknown>;
}

export interface AudienceSubscription {
  seq: number;
  id: string;
  channel: string;
  tags: Record<string, string>;
}

export interface AudienceUser {
  externalId: string;
  language: string | null;
  country: string | null;
  timezone: string | null;
  lat: number | null;
  lon: number | null;
  createdAt: number;
  lastSeenAt: number | null;
  sessionCount: number;
  attributes: Record<string, AttributeValue>;
  events: AudienceEvent[];
  subscriptions: AudienceSubscription[];
}

export interface AudienceCount {
  /** Users with at least one subscription in the audience. */
  users: number;
  subscriptions: number;
  byChannel: Record<string, number>;
}

/** Whether this subscription of this user is in the audience of the (expanded) filter, at `now`. */
export function matchesSubscription(f: Filter, user: AudienceUser, sub: AudienceSubscription | undefined, now: number): boolean {
  if ('and' in f) return f.and.every((g) => matchesSubscription(g, user, sub, now));
  if ('or' in f) return f.or.some((g) => matchesSubscription(g, user, sub, now));
  if ('not' in f) return !matchesSubscription(f.not, user, sub, now);
  if ('attribute' in f) return attribute(f, user, now);
  if ('event' in f) return event(f, user, now);
  if ('tag' in f) return sub !== undefined && tag(f, sub);
  if ('channel' in f) return sub !== undefined && sub.channel === f.channel;
  if ('near' in f) return withinCircle(circleTest(f.near), user.lat, user.lon);
  throw new Error(`segment ${f.segment} must be expanded before evaluation`);
}

/**
 * Whether the user matches: on one of its subscriptions when the filter tests
 * subscriptions, else on the user alone (so a user without subscriptions can match).
 */
export function matchesUser(f: Filter, user: AudienceUser, now: number): boolean {
  return testsSubscriptions(f) ? user.subscriptions.some((s) => matchesSubscription(f, user, s, now)) : matchesSubscription(f, user, undefined, now);
}

/** The audience: its subscriptions in seq order, and its counts. */
export function evaluateAudience(f: Filter, users: AudienceUser[], now: number): { subscriptionIds: string[]; count: AudienceCount } {
  const matched: AudienceSubscription[] = [];
  let userCount = 0;
  for (const user of users) {
    const subs = user.subscriptions.filter((s) => matchesSubscription(f, user, s, now));
    if (subs.length > 0) userCount++;
    matched.push(...subs);
  }
  matched.sort((a, b) => a.seq - b.seq);
  const byChannel: Record<string, number> = { webpush: 0, apns: 0, fcm: 0 };
  for (const s of matched) byChannel[s.channel] = (byChannel[s.channel] ?? 0) + 1;
  return { subscriptionIds: matched.map((s) => s.id), count: { users: userCount, subscriptions: matched.length, byChannel } };
}

function values(v: AttributeFilter['value']): Scalar[] {
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
}

function attribute(f: AttributeFilter, user: AudienceUser, now: number): boolean {
  const field = builtInField(f.attribute);
  if (field) {
    const v = { language: user.language, country: user.country, timezone: user.timezone, created_at: user.createdAt, last_seen_at: user.lastSeenAt, session_count: user.sessionCount }[field.column];
    if (f.op === 'exists') return v != null;
    if (f.op === 'not_exists') return v == null;
    if (v == null) return false;
    if (typeof v === 'string') {
      const eq = field.kind === 'language' ? (x: Scalar) => typeof x === 'string' && languageEquals(v, x) : (x: Scalar) => x === v;
      if (f.op === 'starts_with' && field.kind === 'language') return languageStartsWith(v, f.value as string);
      return stringOp(f, v, eq);
    }
    return numberOp(f, v, now);
  }
  const a = Object.hasOwn(user.attributes, f.attribute) ? user.attributes[f.attribute] : undefined;
  if (f.op === 'exists') return a !== undefined;
  if (f.op === 'not_exists') return a === undefined;
  if (a === undefined) return false;
  const eq = (x: Scalar) =>
    typeof x === 'string' ? a.type === 'string' && a.value === x : typeof x === 'number' ? (a.type === 'number' || a.type === 'time') && a.value === x : a.type === 'boolean' && a.value === x;
  switch (f.op) {
    case 'eq':
    case 'neq':
    case 'in':
    case 'not_in':
      return equality(f, eq);
    case 'contains':
    case 'starts_with':
      return a.type === 'string' && stringOp(f, a.value as string, eq);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return (a.type === 'number' || a.type === 'time') && numberOp(f, a.value as number, now);
    default:
      // before, after, within, older_than: times only.
      return a.type === 'time' && numberOp(f, a.value as number, now);
  }
}

function equality(f: AttributeFilter | TagFilter, eq: (x: Scalar) => boolean): boolean {
  switch (f.op) {
    case 'eq':
      return eq(f.value as Scalar);
    case 'neq':
      return !eq(f.value as Scalar);
    case 'in':
      return values(f.value).some(eq);
    case 'not_in':
      return !values(f.value).some(eq);
    default:
      throw new Error(`not an equality: ${f.op}`);
  }
}

function stringOp(f: AttributeFilter | TagFilter, v: string, eq: (x: Scalar) => boolean): boolean {
  if (f.op === 'contains') return v.includes(f.value as string);
  if (f.op === 'starts_with') return v.startsWith(f.value as string);
  return equality(f, eq);
}

function numberOp(f: AttributeFilter, v: number, now: number): boolean {
  const x = f.value as number;
  switch (f.op) {
    case 'eq':
      return v === x;
    case 'neq':
      return v !== x;
    case 'in':
      return values(f.value).includes(v);
    case 'not_in':
      return !values(f.value).includes(v);
    case 'gt':
    case 'after':
      return v > x;
    case 'gte':
      return v >= x;
    case 'lt':
    case 'before':
      return v < x;
    case 'lte':
      return v <= x;
    case 'within':
      return v >= now - parseDuration(f.value)! && v <= now;
    case 'older_than':
      return v < now - parseDuration(f.value)!;
    default:
      return false;
  }
}

function tag(f: TagFilter, sub: AudienceSubscription): boolean {
  const t = Object.hasOwn(sub.tags, f.tag) ? sub.tags[f.tag] : undefined;
  if (f.op === 'exists') return t !== undefined;
  if (f.op === 'not_exists') return t === undefined;
  if (t === undefined) return false;
  return stringOp(f, t, (x) => x === t);
}

function event(f: EventFilter, user: AudienceUser, now: number): boolean {
  const window = f.within === undefined ? undefined : parseDuration(f.within)!;
  let c = 0;
  for (const e of user.events) {
    if (e.name !== f.event) continue;
    if (window !== undefined && (e.at < now - window || e.at > now)) continue;
    if (f.where && !Object.entries(f.where).every(([k, v]) => Object.hasOwn(e.properties, k) && e.properties[k] === v)) continue;
    c++;
  }
  const { op, n } = countComparison(f);
  return compareCount(op, c, n);
}

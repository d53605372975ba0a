import type { Kysely } from 'kysely';
import { matchesUser, type AttributeValue, type AudienceUser, type Filter } from '../audience/filter/index.ts';
import type { Database } from '../store/schema.ts';

/** The event a run started with, as templates (`event.*`) and filters (`event.properties.*`) read it. */
export interface TriggerEvent {
  name: string;
  at: number;
  properties: Record<string, unknown>;
}

/** How many of a user's latest events a filter of a journey sees (per event name it names). */
const EVENTS_PER_NAME = 1_000;

function eventNames(f: Filter, into = new Set<string>()): Set<string> {
  if ('and' in f) f.and.forEach((g) => eventNames(g, into));
  else if ('or' in f) f.or.forEach((g) => eventNames(g, into));
  else if ('not' in f) eventNames(f.not, into);
  else if ('event' in f) into.add(f.event);
  return into;
}

/**
 * The trigger event as attributes of the filter language: `event.name`, and each property
 * that is a string, a number or a boolean as `event.properties.<key>`, one level of objects
 * and lists deep (`event.properties.items.0.name`). So a branch is written in the filter
 * language: `{"attribute": "event.properties.total", "op": "gt", "value": 50}`.
 */
export function eventAttributes(event: TriggerEvent | null): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  if (!event) return out;
  out['event.name'] = { type: 'string', value: event.name };
  const put = (key: string, v: unknown) => {
    if (typeof v === 'string') out[key] = { type: 'string', value: v };
    else if (typeof v === 'number' && Number.isFinite(v)) out[key] = { type: 'number', value: v };
    else if (typeof v === 'boolean') out[key] = { type: 'boolean', value: v };
  };
  for (const [k, v] of Object.entries(event.properties)) {
    put(`event.properties.${k}`, v);
    if (v !== null && typeof v === 'object') for (const [k2, v2] of Object.entries(v as Record<string, unknown>)) {
      put(`event.properties.${k}.${k2}`, v2);
      if (v2 !== null && typeof v2 === 'object') for (const [k3, v3] of Object.entries(v2 as Record<string, unknown>)) put(`event.properties.${k}.${k2}.${k3}`, v3);
    }
  }
  return out;
}

/**
 * Whether the user (as stored now) and the trigger event match a journey's filter. The
 * filter is evaluated in memory by the audience language's own evaluator (the oracle the
 * SQL compiler is held to), over the user's attributes, subscriptions and their events of
 * the names the filter tests.
 */
export async function userMatches(db: Kysely<Database>, appId: string, userSeq: number, filter: Filter, event: TriggerEvent | null, now: number): Promise<boolean> {
  const facts = await storedFacts(db, appId, userSeq, eventNames(filter));
  return facts !== null && factsMatch(filter, facts, event, now);
}

/** Whether facts of a user (stored, or made up by a simulation) and the trigger event match a filter. */
export function factsMatch(filter: Filter, facts: AudienceUser, event: TriggerEvent | null, now: number): boolean {
  return matchesUser(filter, { ...facts, attributes: { ...facts.attributes, ...eventAttributes(event) } }, now);
}

/** The event names a filter tests (`{"event": ...}` conditions), whose events its evaluation needs. */
export function filterEventNames(f: Filter, into = new Set<string>()): Set<string> {
  return eventNames(f, into);
}

/** A stored user as the filter language sees them, with their latest events of the names given; null when there is none. */
export async function storedFacts(db: Kysely<Database>, appId: string, userSeq: number, names: Set<string>): Promise<AudienceUser | null> {
  const user = await db.selectFrom('users').selectAll().where('seq', '=', userSeq).where('app_id', '=', appId).executeTakeFirst();
  if (!user) return null;
  const [attrs, subs, events] = await Promise.all([
    db.selectFrom('user_attributes').select(['key', 'type', 'str', 'num']).where('user_seq', '=', userSeq).execute(),
    db.selectFrom('subscriptions').select(['seq', 'id', 'channel', 'tags']).where('app_id', '=', appId).where('user_id', '=', user.external_id).execute(),
    (async () => {
      if (names.size === 0) return [];
      return db.selectFrom('user_events').select(['name', 'at', 'properties']).where('app_id', '=', appId).where('user_seq', '=', userSeq).where('name', 'in', [...names]).orderBy('at', 'desc').limit(EVENTS_PER_NAME * names.size).execute();
    })(),
  ]);
  const attributes: Record<string, AttributeValue> = {};
  for (const a of attrs) attributes[a.key] = { type: a.type, value: a.type === 'string' ? (a.str ?? '') : a.type === 'boolean' ? a.num === 1 : Number(a.num) };
  return {
    externalId: user.external_id,
    language: user.language,
    country: user.country,
    timezone: user.timezone,
    lat: user.lat,
    lon: user.lon,
    createdAt: Number(user.created_at),
    lastSeenAt: user.last_seen_at === null ? null : Number(user.last_seen_at),
    sessionCount: Number(user.session_count),
    attributes,
    events: events.map((e) => ({ name: e.name, at: Number(e.at), properties: JSON.parse(e.properties) as Record<string, unknown> })),
    subscriptions: subs.map((s) => ({ seq: Number(s.seq), id: s.id, channel: s.channel, tags: JSON.parse(s.tags) as Record<string, string> })),
  };
}

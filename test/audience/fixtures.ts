/** A small, hand-made audience whose answers are worked out by hand in filter-sql.test.ts. */
import type { AudienceUser, AttributeValue } from '../../src/audience/filter/index.ts';

export const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

const str = (value: string): AttributeValue => ({ type: 'string', value });
const num = (value: number): AttributeValue => ({ type: 'number', value });
const bool = (value: boolean): AttributeValue => ({ type: 'boolean', value });
const time = (value: number): AttributeValue => ({ type: 'time', value });
const views = (sku: string, ...daysAgo: number[]) => daysAgo.map((d) => ({ name: 'viewed_item', at: NOW - d * DAY, properties: { sku } }));
const sub = (id: string, channel: string, tags: Record<string, string> = {}) => ({ seq: 0, id, channel, tags });

const base = { language: null, country: null, timezone: null, lat: null, lon: null, lastSeenAt: null, sessionCount: 0, attributes: {}, events: [], subscriptions: [] };

export function handMadeUsers(): AudienceUser[] {
  return [
    {
      ...base, externalId: 'alice', language: 'fr-CA', country: 'CA', timezone: 'America/Toronto', lat: 45.5017, lon: -73.5673,
      createdAt: NOW - 100 * DAY, lastSeenAt: NOW - DAY, sessionCount: 12,
      attributes: { plan: str('pro'), score: num(42), vip: bool(true), trialEnds: time(NOW + 5 * DAY) },
      events: [...views('A1', 1, 2, 3), { name: 'purchase', at: NOW - 40 * DAY, properties: { sku: 'Z9' } }],
      subscriptions: [sub('s1', 'webpush', { tier: 'gold', source: 'ads' }), sub('s2', 'apns')],
    },
    {
      // Lyon, Place Bellecour: 0.5 km from the centre the examples use.
      ...base, externalId: 'bruno', language: 'fr-FR', country: 'FR', timezone: 'Europe/Paris', lat: 45.7578, lon: 4.832,
      createdAt: NOW - 10 * DAY, lastSeenAt: NOW - 8 * DAY, sessionCount: 3,
      attributes: { plan: str('pro'), score: num(7), vip: bool(false) },
      events: [...views('A1', 1, 2, 6), { name: 'purchase', at: NOW - 2 * DAY, properties: { sku: 'A1' } }],
      subscriptions: [sub('s3', 'webpush', { tier: 'silver' })],
    },
    {
      // Villeurbanne, about 4 km from Lyon's centre.
      ...base, externalId: 'chloe', language: 'FR', country: 'FR', timezone: 'Europe/Paris', lat: 45.7719, lon: 4.8902,
      createdAt: NOW - 400 * DAY, lastSeenAt: null, sessionCount: 0,
      attributes: { plan: str('free'), score: str('high') },
      events: [...views('B2', 1, 2, 3), ...views('A1', 10, 11)],
      subscriptions: [sub('s4', 'fcm', { tier: 'gold' }), sub('s5', 'webpush')],
    },
    {
      // "fra" is not French under prefix matching: subtags, not characters.
      ...base, externalId: 'dara', language: 'fra', country: 'DE', timezone: 'Europe/Berlin', lat: 52.52, lon: 13.405,
      createdAt: NOW - 2 * DAY, lastSeenAt: NOW - HOUR, sessionCount: 1,
      attributes: { plan: str('pro'), trialEnds: time(NOW - 3 * DAY) },
      subscriptions: [sub('s6', 'apns', { tier: 'gold-plus' })],
    },
    {
      ...base, externalId: 'emil', createdAt: NOW - 50 * DAY, lastSeenAt: NOW - 30 * DAY, sessionCount: 5,
      events: [{ name: 'purchase', at: NOW - DAY, properties: {} }],
      subscriptions: [sub('s7', 'webpush', { source: 'organic' })],
    },
    {
      // No subscription: matches user-level filters, never in an audience.
      ...base, externalId: 'farah', language: 'fr-Latn-CA', country: 'CA', timezone: 'Europe/Paris', lat: 43.2965, lon: 5.3698,
      createdAt: NOW - 20 * DAY, lastSeenAt: NOW - 2 * DAY, sessionCount: 9,
      attributes: { plan: str('Pro'), score: num(100) },
      events: [1, 2, 3, 4].map((d) => ({ name: 'viewed_item', at: NOW - d * DAY, properties: { sku: 'A1', price: 10 } })),
    },
    {
      ...base, externalId: 'gus', language: 'en-US', country: 'US', timezone: 'America/New_York', lat: 40.7128, lon: -74.006,
      createdAt: NOW - 5 * DAY, lastSeenAt: NOW - 6 * DAY, sessionCount: 2,
      attributes: { plan: str('pro'), score: num(3) },
      events: [...views('A1', 1, 4, 5), { name: 'purchase', at: NOW - 60 * DAY, properties: { sku: 'A1' } }],
      subscriptions: [sub('s8', 'fcm', { tier: 'gold' }), sub('s9', 'apns', { tier: 'bronze' })],
    },
    {
      // Just east of the antimeridian (Fiji), for circles that cross it.
      ...base, externalId: 'hana', lat: -16.5, lon: -179.95, createdAt: NOW - 3 * DAY,
      subscriptions: [sub('s10', 'webpush')],
    },
  ];
}

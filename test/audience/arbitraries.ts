/** Random audiences and random valid filters for filter-property.test.ts. */
import fc from 'fast-check';
import { validateFilter, type AttributeValue, type AudienceEvent, type AudienceSubscription, type AudienceUser, type Filter } from '../../src/audience/filter/index.ts';
import { DAY, HOUR, NOW } from './fixtures.ts';

// Small pools, so that random filters and random users meet often.
const STRINGS = ['pro', 'free', 'Pro', 'pr', 'a-b', '', "o'k", 'x%_', 'café', 'é'];
const NUMBERS = [-3, 0, 1, 2, 3, 7, 42, 0.5, 2.25];
const KEYS = ['plan', 'score', 'vip', 'trial', 'nick'];
const LANGUAGES = ['fr', 'fr-CA', 'FR-ca', 'fra', 'fr-Latn-CA', 'en', 'en-US', 'de'];
const COUNTRIES = ['FR', 'CA', 'US', 'DE'];
const TIMEZONES = ['Europe/Paris', 'Europe/Berlin', 'America/New_York', 'Pacific/Fiji'];
const EVENTS = ['view', 'buy', 'open'];
const SKUS: (string | number | boolean)[] = ['A1', 'B2', 1, true];
const TIERS = ['gold', 'silver', 'gold-plus', 'Gold'];
const DURATIONS = ['30m', '12h', '1d', '3d', '7d', '30d'];
/** Centres of clusters of located users: Lyon, across the antimeridian, near the north pole. */
const CENTRES = [
  { lat: 45.76, lon: 4.84 },
  { lat: -16.5, lon: 179.9 },
  { lat: 89.6, lon: 30 },
];

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 4 });
const time = fc.integer({ min: NOW - 60 * DAY, max: NOW + 2 * DAY });

const attributeValue: fc.Arbitrary<AttributeValue> = fc.oneof(
  fc.constantFrom(...STRINGS).map((value) => ({ type: 'string' as const, value })),
  fc.constantFrom(...NUMBERS).map((value) => ({ type: 'number' as const, value })),
  fc.boolean().map((value) => ({ type: 'boolean' as const, value })),
  time.map((value) => ({ type: 'time' as const, value })),
);

const location = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ lat: null, lon: null }) },
  {
    weight: 3,
    arbitrary: fc.record({ c: fc.constantFrom(...CENTRES), dlat: fc.double({ min: -1.5, max: 1.5, noNaN: true }), dlon: fc.double({ min: -3, max: 3, noNaN: true }) }).map(({ c, dlat, dlon }) => {
      const lon = c.lon + dlon;
      return { lat: Math.max(-90, Math.min(90, c.lat + dlat)), lon: lon > 180 ? lon - 360 : lon < -180 ? lon + 360 : lon };
    }),
  },
);

const event: fc.Arbitrary<AudienceEvent> = fc.record({
  name: fc.constantFrom(...EVENTS),
  at: fc.integer({ min: NOW - 40 * DAY, max: NOW + DAY }),
  properties: fc.record({ sku: fc.constantFrom(...SKUS), qty: fc.constantFrom(1, 2, '1') }, { requiredKeys: [] }),
});

const subscription: fc.Arbitrary<Omit<AudienceSubscription, 'id' | 'seq'>> = fc.record({
  channel: fc.constantFrom('webpush', 'apns', 'fcm'),
  tags: fc.record({ tier: fc.constantFrom(...TIERS), src: fc.constantFrom('ads', 'organic', '') }, { requiredKeys: [] }),
});

export const users = (n: number): fc.Arbitrary<AudienceUser[]> =>
  fc
    .array(
      fc.record({
        language: maybe(fc.constantFrom(...LANGUAGES)),
        country: maybe(fc.constantFrom(...COUNTRIES)),
        timezone: maybe(fc.constantFrom(...TIMEZONES)),
        location,
        createdAt: fc.integer({ min: NOW - 400 * DAY, max: NOW }),
        lastSeenAt: maybe(fc.integer({ min: NOW - 30 * DAY, max: NOW })),
        sessionCount: fc.integer({ min: 0, max: 20 }),
        attributes: fc.dictionary(fc.constantFrom(...KEYS), attributeValue, { maxKeys: 4 }),
        events: fc.array(event, { maxLength: 8 }),
        subscriptions: fc.array(subscription, { maxLength: 3 }),
      }),
      { minLength: n, maxLength: n },
    )
    .map((list) =>
      list.map(({ location: loc, subscriptions, ...u }, i) => ({
        ...u,
        ...loc,
        externalId: `u${i}`,
        subscriptions: subscriptions.map((s, j) => ({ ...s, id: `u${i}s${j}`, seq: 0 })),
      })),
    );

const scalar = fc.oneof(fc.constantFrom(...STRINGS), fc.constantFrom(...NUMBERS), fc.boolean());
const list = <T>(a: fc.Arbitrary<T>) => fc.array(a, { minLength: 1, maxLength: 4 });

const customAttribute = fc.oneof(
  fc.record({ attribute: fc.constantFrom(...KEYS), op: fc.constantFrom('eq', 'neq'), value: scalar }),
  fc.record({ attribute: fc.constantFrom(...KEYS), op: fc.constantFrom('in', 'not_in'), value: fc.oneof(list(fc.constantFrom(...STRINGS)), list(fc.constantFrom(...NUMBERS))) }),
  fc.record({ attribute: fc.constantFrom(...KEYS), op: fc.constantFrom('gt', 'gte', 'lt', 'lte'), value: fc.oneof(fc.constantFrom(...NUMBERS), time) }),
  fc.record({ attribute: fc.constantFrom(...KEYS), op: fc.constantFrom('exists', 'not_exists') }),
  fc.record({ attribute: fc.constantFrom(...KEYS), op: fc.constantFrom('contains', 'starts_with'), value: fc.constantFrom(...STRINGS, 'r', 'o', 'caf') }),
  fc.record({ attribute: fc.constantFrom(...KEYS), op: fc.constantFrom('before', 'after'), value: time }),
  fc.record({ attribute: fc.constantFrom(...KEYS), op: fc.constantFrom('within', 'older_than'), value: fc.constantFrom(...DURATIONS) }),
);

const builtInAttribute = fc.oneof(
  fc.record({ attribute: fc.constant('language'), op: fc.constantFrom('eq', 'neq'), value: fc.constantFrom(...LANGUAGES, 'FR', 'EN') }),
  fc.record({ attribute: fc.constant('language'), op: fc.constant('starts_with'), value: fc.constantFrom('fr', 'FR', 'fr-latn', 'fr-CA', 'en', 'f') }),
  fc.record({ attribute: fc.constant('language'), op: fc.constantFrom('in', 'not_in'), value: list(fc.constantFrom(...LANGUAGES)) }),
  fc.record({ attribute: fc.constantFrom('language', 'country', 'timezone', 'lastSeenAt'), op: fc.constantFrom('exists', 'not_exists') }),
  fc.record({ attribute: fc.constant('country'), op: fc.constantFrom('eq', 'neq'), value: fc.constantFrom(...COUNTRIES) }),
  fc.record({ attribute: fc.constant('country'), op: fc.constantFrom('in', 'not_in'), value: list(fc.constantFrom(...COUNTRIES)) }),
  fc.record({ attribute: fc.constant('timezone'), op: fc.constantFrom('eq', 'neq', 'contains', 'starts_with'), value: fc.constantFrom(...TIMEZONES, 'Europe/', 'New', 'P') }),
  fc.record({ attribute: fc.constantFrom('createdAt', 'lastSeenAt'), op: fc.constantFrom('gt', 'gte', 'lt', 'lte', 'before', 'after', 'eq', 'neq'), value: fc.integer({ min: NOW - 400 * DAY, max: NOW }) }),
  fc.record({ attribute: fc.constantFrom('createdAt', 'lastSeenAt'), op: fc.constantFrom('within', 'older_than'), value: fc.constantFrom(...DURATIONS, '2w', '365d') }),
  fc.record({ attribute: fc.constant('sessionCount'), op: fc.constantFrom('eq', 'neq', 'gt', 'gte', 'lt', 'lte'), value: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ attribute: fc.constant('sessionCount'), op: fc.constantFrom('in', 'not_in'), value: list(fc.integer({ min: 0, max: 20 })) }),
);

const eventFilter = fc.record(
  {
    event: fc.constantFrom(...EVENTS),
    count: fc.dictionary(fc.constantFrom('eq', 'neq', 'gt', 'gte', 'lt', 'lte'), fc.integer({ min: 0, max: 4 }), { minKeys: 1, maxKeys: 1 }),
    within: fc.constantFrom(...DURATIONS),
    where: fc.record({ sku: fc.constantFrom(...SKUS), qty: fc.constantFrom(1, '1', 2) }, { requiredKeys: [] }).filter((w) => Object.keys(w).length > 0),
  },
  { requiredKeys: ['event'] },
);

const tagFilter = fc.oneof(
  fc.record({ tag: fc.constantFrom('tier', 'src'), op: fc.constantFrom('eq', 'neq', 'contains', 'starts_with'), value: fc.constantFrom(...TIERS, 'ads', '', 'gold') }),
  fc.record({ tag: fc.constantFrom('tier', 'src'), op: fc.constantFrom('in', 'not_in'), value: list(fc.constantFrom(...TIERS, 'ads', 'organic')) }),
  fc.record({ tag: fc.constantFrom('tier', 'src'), op: fc.constantFrom('exists', 'not_exists') }),
);

const nearFilter = fc
  .record({ c: fc.constantFrom(...CENTRES), dlat: fc.double({ min: -1, max: 1, noNaN: true }), dlon: fc.double({ min: -1, max: 1, noNaN: true }), radiusKm: fc.oneof(fc.double({ min: 1, max: 300, noNaN: true }), fc.constantFrom(1000, 5000)) })
  .map(({ c, dlat, dlon, radiusKm }) => {
    const lon = c.lon + dlon;
    return { near: { lat: Math.max(-90, Math.min(90, c.lat + dlat)), lon: lon > 180 ? lon - 360 : lon, radiusKm } };
  });

const leaf: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: customAttribute },
  { weight: 4, arbitrary: builtInAttribute },
  { weight: 3, arbitrary: eventFilter },
  { weight: 2, arbitrary: tagFilter },
  { weight: 1, arbitrary: fc.record({ channel: fc.constantFrom('webpush', 'apns', 'fcm') }) },
  { weight: 2, arbitrary: nearFilter },
  { weight: 1, arbitrary: fc.constant({ segment: 'seg_recent' }) },
);

/** Segments the random filters may name. */
export const SEGMENTS: Record<string, unknown> = {
  seg_recent: { or: [{ attribute: 'lastSeenAt', op: 'within', value: '3d' }, { event: 'open', within: '1d' }] },
};

export const filters: fc.Arbitrary<Filter> = fc
  .letrec<{ node: unknown }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', maxDepth: 4 },
      leaf,
      fc.record({ and: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
      fc.record({ or: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }),
      fc.record({ not: tie('node') }),
    ),
  }))
  .node.filter((f) => validateFilter(f).ok) as fc.Arbitrary<Filter>;

export { HOUR };

import { Type, type Static } from '@sinclair/typebox';

/** Schemas of the analytics routes (analytics.ts, docs/analytics.md). */

/**
 * The query string: strings, each checked by src/analytics/series.ts, so that a wrong
 * value is `invalid_analytics_query` with the parameter's pointer and a detail naming
 * the values that work. The lengths keep the longest query, percent-encoded, under the
 * 8,192 bytes of URL the server reads (all the metrics together are 331 characters).
 */
export const AnalyticsQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ maxLength: 40, description: 'RFC 3339; the start of the range (widened to its bucket). 7 days before `to` when absent' })),
    to: Type.Optional(Type.String({ maxLength: 40, description: 'RFC 3339; the end of the range, exclusive. Now when absent. At most 400 days after `from`' })),
    interval: Type.Optional(Type.String({ maxLength: 16, description: '`hour` or `day` (the default); days are local days of `timezone`. At most 2,000 buckets' })),
    groupBy: Type.Optional(Type.String({ maxLength: 16, description: '`campaign`, `category`, `channel` or `variant`: one series per value' })),
    metrics: Type.Optional(Type.String({ maxLength: 400, description: 'Comma-separated metric names (docs/analytics.md#metrics); all when absent' })),
    timezone: Type.Optional(Type.String({ maxLength: 48, description: 'IANA zone of the day buckets and of the times shown; the app’s zone (or UTC) when absent' })),
  },
  { additionalProperties: false },
);
export type AnalyticsQuery = Static<typeof AnalyticsQuery>;

// `type: [number, null]` (JSON Schema 2020-12, OpenAPI 3.1) rather than a union: the
// serializer writes it directly, where an `anyOf` has each of a 30-day hourly series'
// ~20,000 values validated to choose its branch (most of the answer's time, bench section 9).
const NumberOrNull = Type.Unsafe<number | null>({ type: ['number', 'null'] });
const Values = Type.Record(Type.String(), NumberOrNull, { description: 'metric -> value; a rate is null when its denominator is 0' });

const ByAction = Type.Record(Type.String(), Type.Integer(), { description: 'action id -> recipients who chose that button (a campaign’s or a notification’s own view)' });

export const AnalyticsSeries = Type.Object({
  from: Type.String(),
  to: Type.String(),
  interval: Type.String(),
  timezone: Type.String(),
  groupBy: Type.Union([Type.String(), Type.Null()]),
  metrics: Type.Array(Type.String()),
  actions: Type.Optional(Type.Array(Type.String(), { description: 'A campaign’s or a notification’s own view: the action buttons clicked in the range (their `action` ids), each a key of every `clickedByAction`' })),
  series: Type.Array(
    Type.Object({
      group: Type.Union([Type.String(), Type.Null()], { description: 'The groupBy value ("" for rows without one); null without groupBy' }),
      points: Type.Array(Type.Object({ start: Type.String({ description: 'The bucket’s start, in `timezone`' }), values: Values, clickedByAction: Type.Optional(ByAction) })),
      totals: Values,
      clickedByAction: Type.Optional(ByAction),
    }),
  ),
});

export const Funnel = Type.Object(
  {
    targeted: Type.Integer(),
    sent: Type.Integer(),
    delivered: Type.Integer(),
    displayed: Type.Integer(),
    clicked: Type.Integer({ description: 'Recipients (notification and subscription) who clicked, each once, on the notification or any of its buttons' }),
    converted: Type.Integer(),
    convertedDirect: Type.Integer({ description: 'Converted within the window after a click' }),
    convertedInfluenced: Type.Integer({ description: 'Converted within the window after a display, without a click before the event' }),
    revenue: Type.Number({ description: 'Sum of the conversion events’ `value`' }),
    clickedByAction: Type.Record(Type.String(), Type.Integer(), { description: 'Recipients who chose each action button, by its `action` id; `clicked` counts a recipient once whatever the buttons' }),
  },
  { description: 'Over the whole life of the campaign or notification, whatever the range' },
);

export const OwnAnalytics = Type.Object({
  id: Type.String(),
  funnel: Funnel,
  analytics: AnalyticsSeries,
});

/** `Accept: text/csv`: the same series as CSV (RFC 4180), one row per bucket and group. */
export const CSV_MEDIA_TYPE = 'text/csv';

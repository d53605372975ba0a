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

const Values = Type.Record(Type.String(), Type.Union([Type.Number(), Type.Null()]), { description: 'metric -> value; a rate is null when its denominator is 0' });

export const AnalyticsSeries = Type.Object({
  from: Type.String(),
  to: Type.String(),
  interval: Type.String(),
  timezone: Type.String(),
  groupBy: Type.Union([Type.String(), Type.Null()]),
  metrics: Type.Array(Type.String()),
  series: Type.Array(
    Type.Object({
      group: Type.Union([Type.String(), Type.Null()], { description: 'The groupBy value ("" for rows without one); null without groupBy' }),
      points: Type.Array(Type.Object({ start: Type.String({ description: 'The bucket’s start, in `timezone`' }), values: Values })),
      totals: Values,
    }),
  ),
});

export const Funnel = Type.Object(
  {
    targeted: Type.Integer(),
    sent: Type.Integer(),
    delivered: Type.Integer(),
    displayed: Type.Integer(),
    clicked: Type.Integer(),
    converted: Type.Integer(),
    convertedDirect: Type.Integer({ description: 'Converted within the window after a click' }),
    convertedInfluenced: Type.Integer({ description: 'Converted within the window after a display, without a click before the event' }),
    revenue: Type.Number({ description: 'Sum of the conversion events’ `value`' }),
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

import { Type, type Static } from '@sinclair/typebox';
import { FEED_REACHES, FEED_STATUSES } from '../../store/schema-alert-feeds.ts';

/** Schemas of the CAP feed routes (alert-feeds.ts); docs/civic-alerts.md#connecting-a-cap-feed. */

const Time = Type.String({ format: 'date-time' });
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const Url = Type.String({ minLength: 1, maxLength: 2048, description: 'An https URL of an Atom or RSS feed of CAP messages, or of one CAP message' });
// 30 s: NWS asks clients not to poll more often; a day: an alert must not wait longer.
const Interval = Type.Integer({ minimum: 30, maximum: 86_400, description: 's between polls' });

const Reach = Type.Union(
  FEED_REACHES.map((r) => Type.Literal(r)),
  { description: 'Whom its alerts reach, as ?reach= on a posted alert: area (the default), the users located in the area and those whose zones it names; area_and_unlocated, for a feed of wide alerts, every user without a location too' },
);

export const FeedBody = Type.Object({ url: Url, interval: Interval, reach: Type.Optional(Reach) }, { additionalProperties: false });
export type FeedBody = Static<typeof FeedBody>;
export const FeedPatchBody = Type.Object({ url: Type.Optional(Url), interval: Type.Optional(Interval), reach: Type.Optional(Reach) }, { additionalProperties: false, minProperties: 1 });
export type FeedPatchBody = Static<typeof FeedPatchBody>;

export const Feed = Type.Object({
  id: Type.String({ description: 'afd_...' }),
  url: Type.String(),
  interval: Type.Integer(),
  reach: Reach,
  status: Type.Union(FEED_STATUSES.map((s) => Type.Literal(s)), { description: 'What the last poll came to: pending (not polled yet), ok, not_modified (304), failed' }),
  error: nullable(Type.Object({ code: Type.String(), detail: Type.String() }, { description: 'Why the last poll failed, or the first of its entries that did' })),
  failures: Type.Integer({ description: 'Polls failed in a row: the backoff' }),
  lastPollAt: nullable(Time),
  lastSuccessAt: nullable(Time),
  nextPollAt: Time,
  lastEntries: Type.Integer({ description: 'CAP messages the last document held' }),
  alertsReceived: Type.Integer({ description: 'Alerts this feed stored first' }),
  etag: nullable(Type.String()),
  lastModified: nullable(Type.String()),
  createdAt: Time,
  updatedAt: Time,
});

export const FeedList = Type.Object({ data: Type.Array(Feed) });

import { Type, type Static } from '@sinclair/typebox';
import { EVENT_TYPES, MAX_EVENTS_PER_REPORT, OPT_IN_EVENTS } from '../../analytics/event-types.ts';
import { Id } from '../../message/fields.ts';

/** Schemas of the events and opt-in statistics routes (events.ts). */

export const EventsBody = Type.Object(
  {
    events: Type.Array(
      Type.Object(
        {
          type: Type.Union(EVENT_TYPES.map((t) => Type.Literal(t))),
          id: Type.Optional(Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', description: 'Chosen by the browser: a retried report with the same id counts once' })),
          notificationId: Type.Optional(Id),
          subscriptionId: Type.Optional(Id),
          action: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'clicked: the action button chosen; absent for a click on the notification' })),
          at: Type.Optional(Type.String({ format: 'date-time', description: 'When it happened; now when absent, and never later than now' })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: MAX_EVENTS_PER_REPORT },
    ),
  },
  { additionalProperties: false },
);
export type EventsBody = Static<typeof EventsBody>;

export const EventsResult = Type.Object({
  accepted: Type.Integer({ description: 'Stored now' }),
  duplicates: Type.Integer({ description: 'Already stored by an earlier report' }),
  ignored: Type.Integer({ description: 'About a notification or subscription this app does not have' }),
});

export const StatsQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Events at or after this time' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Events before this time' })),
  },
  { additionalProperties: false },
);
export type StatsQuery = Static<typeof StatsQuery>;

export const OptInStatsReply = Type.Object({
  counts: Type.Object(Object.fromEntries(OPT_IN_EVENTS.map((t) => [t, Type.Integer()]))),
  optInRate: Type.Union([Type.Number(), Type.Null()], { description: 'permission_granted / prompt_shown; null before anyone was asked' }),
});

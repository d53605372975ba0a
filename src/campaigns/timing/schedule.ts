import { Type, type Static } from '@sinclair/typebox';
import type { LocalDate, TimeOfDay } from './wall-time.ts';

/**
 * When a campaign goes out: one of four kinds, each an object with one member naming it.
 * This is the request's shape, for the route schema and OpenAPI; `validateSchedule` checks
 * what a schema cannot (calendars, cron, limits) and gives the pointer to the member at
 * fault. See docs/campaigns-timing.md.
 */
const HHMM = '^([01][0-9]|2[0-3]):[0-5][0-9]$';

export const AtSchedule = Type.Object(
  { at: Type.String({ description: 'RFC 3339 date-time; every recipient at this instant (a time already passed sends at launch)' }) },
  { additionalProperties: false },
);

export const LocalTimeSchedule = Type.Object(
  {
    localTime: Type.Object(
      {
        date: Type.String({ description: 'YYYY-MM-DD, a calendar date' }),
        time: Type.String({ pattern: HHMM, description: 'HH:MM, 24-hour, on every recipient’s own clock' }),
        whenPassed: Type.Optional(
          Type.Union([Type.Literal('send_now'), Type.Literal('skip')], {
            description: 'a recipient whose local time has already passed at launch: sent at launch (send_now, the default) or not sent (skip)',
          }),
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const RecurringSchedule = Type.Object(
  {
    recurring: Type.Object(
      {
        cron: Type.String({ description: 'five-field cron (minute hour day-of-month month day-of-week), at most one run an hour' }),
        timezone: Type.String({ description: 'IANA time zone the cron is read in' }),
        until: Type.Optional(Type.String({ description: 'RFC 3339 date-time; no run after it' })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const IntelligentSchedule = Type.Object(
  {
    intelligent: Type.Object(
      {
        within: Type.Optional(Type.String({ description: 'duration from launch in which each recipient’s best hour is sought, 1h to 24h (default 24h)' })),
        fallback: Type.Optional(Type.String({ pattern: HHMM, description: 'local time used when neither the user nor the app has enough engagement (default 10:00)' })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const CampaignSchedule = Type.Union([AtSchedule, LocalTimeSchedule, RecurringSchedule, IntelligentSchedule], {
  description: 'at, localTime, recurring or intelligent; see docs/campaigns-timing.md',
});
export type CampaignScheduleInput = Static<typeof CampaignSchedule>;

/** A schedule once checked: parsed values, defaults filled in. What the planners take. */
export type Schedule =
  | { kind: 'at'; at: number }
  | { kind: 'localTime'; date: LocalDate; time: TimeOfDay; whenPassed: 'send_now' | 'skip' }
  | { kind: 'recurring'; cron: string; timezone: string; until: number | null }
  | { kind: 'intelligent'; withinMs: number; fallback: TimeOfDay };

export const SCHEDULE_LIMITS = {
  /** ms; how far ahead an `at`, a `localTime` date or a first recurring run may be: a plan further out is a typo (2062 for 2026). */
  maxAhead: 366 * 86_400_000,
  /** ms; the shortest intelligent window: less leaves no hour to choose. */
  minWithin: 3_600_000,
  /** ms; the longest intelligent window: every hour of the day comes round within 24 h, so more changes nothing. */
  maxWithin: 86_400_000,
  /** ms; the closest two recurring runs may be. Each run is a notification with its own stats; hourly is already a lot for people. */
  minRecurringInterval: 3_600_000,
} as const;

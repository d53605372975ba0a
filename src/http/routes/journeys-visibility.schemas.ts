import { Type, type Static } from '@sinclair/typebox';

/**
 * Schemas of what journeys show of themselves (journeys-visibility.ts): per-step counts, a
 * simulation, the templates. A simulation's members are checked by its own validator
 * (src/journeys/simulation-input.ts), which answers `invalid_simulation` with a pointer to
 * the member at fault (`#/events/0/at`); the schema says their shape and limits.
 */

export const StatsQuery = Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'A version of the journey; its current one when absent' })) }, { additionalProperties: false });
export type StatsQuery = Static<typeof StatsQuery>;

const Counts = Type.Record(Type.String(), Type.Integer({ minimum: 0 }));

export const JourneyStats = Type.Object({
  journeyId: Type.String(),
  version: Type.Integer(),
  runs: Type.Object({
    active: Type.Integer({ minimum: 0 }),
    ended: Type.Integer({ minimum: 0 }),
    converted: Type.Integer({ minimum: 0, description: 'Runs ended by an exit event after at least one send' }),
  }),
  steps: Type.Array(
    Type.Object({
      step: Type.String({ description: 'JSON pointer into the version’s definition, as runs name their position' }),
      kind: Type.String({ description: 'wait, waitFor, branch, split, send or update' }),
      entered: Type.Integer({ minimum: 0 }),
      waiting: Type.Integer({ minimum: 0, description: 'Active runs on the step now' }),
      sent: Type.Integer({ minimum: 0 }),
      skipped: Type.Integer({ minimum: 0 }),
      exited: { ...Counts, description: 'Runs that ended on this step, by end reason' },
    }),
    { description: 'Every step of the version, depth first in document order' },
  ),
  ended: { ...Counts, description: 'Ended runs by end reason: completed, exit_event:<name>, exit_filter, archived, ...' },
  audience: Type.Optional(
    Type.Array(
      Type.Object({
        event: Type.Object({ name: Type.String(), at: Type.String({ format: 'date-time' }), properties: Type.Object({}, { additionalProperties: true }) }),
        state: Type.Union([Type.Literal('walking'), Type.Literal('done'), Type.Literal('stopped')]),
        seen: Type.Integer({ minimum: 0, description: 'Users of the audience looked at so far' }),
        entered: Type.Integer({ minimum: 0, description: 'Runs started (others were kept out by re-entry, the limit or the trigger\u2019s where)' }),
        startedAt: Type.String({ format: 'date-time' }),
        updatedAt: Type.String({ format: 'date-time' }),
      }),
      { description: 'A trigger with an audience: the latest 20 events\u2019 walks over it, a page at a time, newest first' },
    ),
  ),
});

export const SimulateBody = Type.Object(
  {
    userId: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'A stored user, as they are now' })),
    user: Type.Optional(Type.Unknown({ description: 'A made-up user: {"attributes": {...}, "timezone": "Europe/Paris", "language": "fr", "country": "FR"}' })),
    events: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 100, description: 'Events that happen during the run: {"name": "purchase", "at": "+2h", "properties": {...}}' })),
    trigger: Type.Optional(Type.Unknown({ description: '{"name": "cart_updated", "properties": {...}}: the event that starts the run; its name is the trigger’s; no properties by default' })),
    version: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    until: Type.Optional(Type.String({ maxLength: 16, description: 'How far the virtual clock runs: a duration, at most a year; "30d" by default' })),
  },
  { additionalProperties: false },
);
export type SimulateBody = Static<typeof SimulateBody>;

export const Simulation = Type.Object({
  journeyId: Type.String(),
  version: Type.Integer(),
  timeline: Type.Array(
    Type.Object({
      at: Type.String({ format: 'date-time', description: 'On the virtual clock' }),
      step: Type.Union([Type.String(), Type.Null()]),
      what: Type.String({ description: 'entered, waiting, waited, event, matched, timed_out, branch, split, updated, held, sent, skipped, exited, completed, stopped, not_entered' }),
      detail: Type.Optional(Type.Object({}, { additionalProperties: true })),
    }),
  ),
  endedBy: Type.Union([Type.String(), Type.Null()], { description: 'completed, exit_event:<name>, exit_filter, ...; null when the run had not ended by `until`' }),
});

export const JourneyTemplateList = Type.Object({
  data: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      description: Type.String(),
      journey: Type.Object({}, { additionalProperties: true, description: 'A body createJourney accepts as is' }),
    }),
  ),
});

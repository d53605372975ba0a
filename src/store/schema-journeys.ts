import type { Generated } from 'kysely';

/** The tables of journeys (migration 029, src/journeys/); part of `Database` in schema.ts. */

export type JourneyStatus = 'draft' | 'active' | 'paused' | 'archived';

/** A journey: its current version's definition, and what new runs start on. */
export interface JourneysTable {
  /** jrn_... */
  id: string;
  app_id: string;
  name: string;
  status: JourneyStatus;
  /** The version new runs start on (1 from the first save). */
  version: number;
  /** The trigger's event name, for the lookup of what an event starts; null for other triggers. */
  trigger_event: string | null;
  /** The trigger's attribute key (`attributeChange`); null for other triggers. */
  trigger_attribute: string | null;
  created_at: number;
  updated_at: number;
}

/** Every version a journey had: runs go on with the one they started on (migration 029). */
export interface JourneyVersionsTable {
  journey_id: string;
  version: number;
  /** JSON: the journey as validated (src/journeys/journey-definition.ts). */
  definition: string;
  created_at: number;
}

export type JourneyRunState = 'active' | 'ended';

/**
 * One user's run through one version of a journey: where it is (`step`, a JSON pointer into
 * the version's definition, `/steps/2/matched/0`), the instant it is next due, and the event
 * it waits for. `token` grows by one at every move: a timer job names the token it was set
 * for, so a timer of a step the run has left (an exit, an event that came first) does nothing.
 */
export interface JourneyRunsTable {
  id: Generated<number>;
  app_id: string;
  journey_id: string;
  version: number;
  user_seq: number;
  external_id: string;
  state: JourneyRunState;
  step: string | null;
  token: number;
  /** When the step is next looked at (a wait's end, a waitFor's timeout, a held send's release). */
  due_at: number | null;
  /** The event a `waitFor` step waits for; null otherwise. */
  waiting_for: string | null;
  /** JSON {name, at, properties}: the event that started the run (templates read it as `event`). */
  trigger: string;
  /** What started the run, hashed: the same event handled twice starts one run. */
  trigger_key: string;
  started_at: number;
  ended_at: number | null;
  /** `completed`, `exit_event:purchase`, `exit_filter`, `archived`. */
  end_reason: string | null;
  /** JSON array of what the run did: [{at, step, what, detail?}], capped in length. */
  timeline: string;
  updated_at: number;
  /** Send steps the run has sent (migration 032): a run that ends by an exit event after one is converted. */
  sends: number;
  /** Attempts of the current step that did not go through (a webhook step's failed calls; migration 036); 0 on every new step. */
  attempts: number;
}

/** A run as read back (ids and times as numbers on both engines: src/journeys/run-row.ts). */
export type JourneyRun = Omit<JourneyRunsTable, 'id'> & { id: number };

/**
 * Per-step counts of a version (migration 032): how many runs entered each step, were sent
 * or skipped there, ended there (`exited:<reason>`), and, at step `''`, runs converted.
 * Written in the transaction of the move they count, so they are exact; spread over a few
 * `shard` rows (the run's id modulo JOURNEY_COUNT_SHARDS) so that runs moving at once do not
 * all wait for the lock of one row. A reader sums the shards.
 */
export interface JourneyStepCountsTable {
  journey_id: string;
  version: number;
  /** The step's JSON pointer (`/steps/1`), or `''` for counts of the run as a whole. */
  step: string;
  /** `entered`, `sent`, `skipped`, `exited:<end reason>`, `converted`. */
  outcome: string;
  shard: number;
  n: number;
}

export type JourneyWalkState = 'walking' | 'done' | 'stopped';

/**
 * An item's event walking its audience a page at a time (migration 036,
 * src/journeys/audience-walk.ts): where it is (`cursor`, the last `user_seq` looked at), how
 * many users it looked at and how many runs it started.
 */
export interface JourneyAudienceWalksTable {
  id: Generated<number>;
  app_id: string;
  journey_id: string;
  version: number;
  trigger_key: string;
  /** JSON: the stored event ({userId, name, at, properties}) the runs start with. */
  event: string;
  cursor: number;
  seen: number;
  entered: number;
  /** `walking`; `done` past the audience's last user; `stopped` when the journey stopped taking users in. */
  state: JourneyWalkState;
  started_at: number;
  updated_at: number;
}

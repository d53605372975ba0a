/**
 * What the journey routes answer, as the dashboard reads them (src/http/routes/journeys.schemas.ts),
 * and the step tree of a definition (docs/journeys.md#steps). Added to the answers of
 * api/types.ts by declaration merging, so these pages keep their shapes to themselves.
 */
import type { List } from '../api/types.ts';

export type JourneyStatus = 'draft' | 'active' | 'paused' | 'archived';

export interface Journey {
  id: string;
  name: string;
  status: JourneyStatus;
  version: number;
  definition: JourneyDefinition;
  runs: { active: number; ended: number };
  createdAt: string;
  updatedAt: string;
}

/** The members of a journey other than its name, as saved. */
export interface JourneyDefinition {
  trigger?: unknown;
  steps?: unknown[];
  exit?: unknown;
  reentry?: unknown;
  limit?: unknown;
  sendRules?: unknown;
  [member: string]: unknown;
}

export interface TimelineEntry {
  at: string;
  step: string | null;
  what: string;
  detail?: string;
}

export interface Run {
  id: string;
  userId: string;
  version: number;
  state: 'active' | 'ended';
  step: string | null;
  dueAt: string | null;
  waitingFor: string | null;
  startedAt: string;
  endedAt: string | null;
  endReason: string | null;
  timeline: TimelineEntry[];
}

/** One step's counts (GET .../journeys/{id}/stats): `step` is its JSON pointer, as the runs name it. */
export interface StepStats {
  step: string;
  kind: string;
  entered: number;
  waiting: number;
  sent: number;
  skipped: number;
  exited: Record<string, number>;
}

export interface JourneyStats {
  journeyId: string;
  version: number;
  runs: { active: number; ended: number; converted: number };
  steps: StepStats[];
  ended: Record<string, number>;
}

/** A simulation's answer (POST .../journeys/{id}/simulate): the run on a virtual clock, nothing sent. */
export interface SimulationResult {
  journeyId: string;
  version: number;
  timeline: { at: string; step: string | null; what: string; detail?: Record<string, unknown> }[];
  endedBy: string | null;
}

export interface JourneyTemplate {
  id: string;
  name: string;
  description: string;
  journey: Record<string, unknown>;
}

declare module '../api/types.ts' {
  interface Answers {
    listJourneys: List<Journey>;
    createJourney: Journey;
    getJourney: Journey;
    updateJourney: Journey;
    deleteJourney: void;
    activateJourney: Journey;
    pauseJourney: Journey;
    archiveJourney: Journey;
    listJourneyRuns: List<Run>;
    getJourneyStats: JourneyStats;
    simulateJourney: SimulationResult;
    listJourneyTemplates: List<JourneyTemplate>;
  }
}

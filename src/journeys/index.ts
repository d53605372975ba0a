/** Journeys: event- and time-driven runs per user (docs/journeys.md). */
export { journeyJobs } from './jobs.ts';
export { journeyEventsStored } from './journey-events.ts';
export { createJourney, deleteJourney, getJourney, listJourneys, moveJourney, updateJourney, type JourneyView } from './journeys.ts';
export { validateJourney, JOURNEY_LIMITS, type JourneyDefinition, type Step, type Trigger } from './journey-definition.ts';
export { listRuns } from './runs.ts';
export { migrateRuns, type MigrateResult } from './migrate-runs.ts';
export { withAttributeTriggers } from './attribute-change.ts';
export { journeyStats, stepList, type JourneyStats } from './stats.ts';
export { simulateJourney, type Simulation } from './simulate.ts';
export { SIMULATION_LIMITS } from './simulation-input.ts';
export { JOURNEY_TEMPLATES, listJourneyTemplates, type JourneyTemplate } from './templates.ts';

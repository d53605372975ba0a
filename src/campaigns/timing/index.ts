/**
 * Campaign timing: when each recipient's message is due. Pure: every function takes the
 * instants it needs (launch, now) as arguments and reads no clock. See
 * docs/campaigns-timing.md. The two store queries intelligent delivery learns from are in
 * engagement-query.ts, apart, so that importing this reads no database.
 */
export { CampaignSchedule, AtSchedule, LocalTimeSchedule, RecurringSchedule, IntelligentSchedule, SCHEDULE_LIMITS } from './schedule.ts';
export type { CampaignScheduleInput, Schedule } from './schedule.ts';
export { validateSchedule } from './validate-schedule.ts';
export { TimingError, type TimingErrorCode } from './timing-error.ts';
export { localDueAt, resolveZone, wallTimeInstants, wallTimeAt, nextWallTime, offsetAt, parseLocalDate, parseTimeOfDay, formatTimeOfDay } from './wall-time.ts';
export type { LocalDate, TimeOfDay, WallTime } from './wall-time.ts';
export { localTimePlan, localTimePlanner, type LocalTimePlan } from './local-time-plan.ts';
export { nextRuns, cronProblem, MAX_CRON_LENGTH } from './recurring.ts';
export { QuietHours, validateQuietHours, effectiveQuietHours, isQuiet, quietRelease, quietReleaser } from './quiet-hours.ts';
export type { QuietHoursInput, QuietWindow } from './quiet-hours.ts';
export { bestHour, appBestHour, intelligentDueAt, HourHistogram, ENGAGEMENT_WINDOW_MS, MIN_USER_ENGAGEMENTS, MIN_APP_ENGAGEMENTS } from './intelligent.ts';
export type { BestHour, BestHourSource } from './intelligent.ts';
export { campaignPlanner, type PlannerOptions, type PlanRecipient, type RecipientPlan, type RecipientTiming } from './campaign-planner.ts';

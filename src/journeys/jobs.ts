import type { Context } from '../context.ts';
import type { JobKind } from '../queue/job-kind.ts';
import { JOURNEY_ATTRIBUTE_JOB, type AttributeChange } from './attribute-change.ts';
import { JOURNEY_AUDIENCE_JOB, lateWalks, walkPage, type AudiencePageData } from './audience-walk.ts';
import { handleAttributeChange, handleJourneyEvents, JOURNEY_EVENTS_JOB, type JourneyEventsData } from './journey-events.ts';
import { advanceRun, advanceRuns } from './run-engine.ts';
import { JOURNEY_STEP_JOB, stepJobSpec } from './run-writes.ts';
import { JOURNEY_SEGMENT_JOB, type SegmentEntryData } from './segment-entry.ts';
import { handleSegmentEntry } from './segment-entry-job.ts';
import { useWebhookTransport, type JourneyWebhookTransport } from './webhook-step.ts';

/** The most timers one call of the step job's batch handler moves. */
const STEP_BATCH = 50;

/**
 * The journeys' job kinds: `journey-step`, a run's timer (a wait's end, a waitFor's timeout,
 * a held send's release), `journey-events`, what tracked events do to journeys,
 * `journey-attribute`, an attribute change that starts runs, and `journey-segment-entry`, a
 * user who started matching a segment-entry journey's segment, and `journey-audience-page`,
 * a page of an item's event's audience (audience-walk.ts).
 *
 * The store is the record of a run: a run whose due time passed long ago without a move is
 * a timer the queue lost (or one kept on another clock), queued again by the reconcile
 * under a key of its own; the run's token makes a second firing do nothing.
 */
export function journeyJobs(ctx: Context, deps: { webhookTransport?: JourneyWebhookTransport } = {}): JobKind[] {
  if (deps.webhookTransport) useWebhookTransport(ctx, deps.webhookTransport);
  return [
    {
      name: JOURNEY_STEP_JOB,
      handler: async (job) => {
        const { runId, token } = job.data as { runId: number; token: number };
        await advanceRun(ctx, runId, token);
      },
      // Timers due together (a journey's users entered in the same minute) move in groups,
      // their writes one commit (run-writes.ts GroupCommit) rather than one each.
      batch: { size: STEP_BATCH, run: (jobs) => advanceRuns(ctx, jobs.map((job) => job.data as { runId: number; token: number })) },
      async reconcile(before) {
        const rows = await ctx.store.db.selectFrom('journey_runs').select(['id', 'token', 'due_at']).where('state', '=', 'active').where('due_at', '<', before).orderBy('due_at').limit(1_000).execute();
        return rows.map((r) => stepJobSpec(Number(r.id), Number(r.token), Number(r.due_at), ':late'));
      },
    },
    { name: JOURNEY_EVENTS_JOB, handler: (job) => handleJourneyEvents(ctx, job.data as JourneyEventsData) },
    { name: JOURNEY_ATTRIBUTE_JOB, handler: (job) => handleAttributeChange(ctx, job.data as AttributeChange) },
    { name: JOURNEY_SEGMENT_JOB, handler: (job) => handleSegmentEntry(ctx, job.data as SegmentEntryData) },
    { name: JOURNEY_AUDIENCE_JOB, handler: (job) => walkPage(ctx, job.data as AudiencePageData), reconcile: (before) => lateWalks(ctx, before) },
  ];
}

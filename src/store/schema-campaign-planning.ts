/** The planning of an intelligent campaign by a job (migration 024, src/campaigns/plan-job.ts); part of `Database` in schema.ts. */

/** `launch`: the run's audience at launch; `winner`: winner mode's rest, after the decision. */
export type PlanPhase = 'launch' | 'winner';

/** One plan of a campaign's run, and how far it has got. */
export interface CampaignPlanningsTable {
  campaign_id: string;
  run: number;
  phase: PlanPhase;
  /** unix ms the plan is made from (the launch, or the decision). */
  launch_at: number;
  /** JSON: the app's most engaged hour when planning started (`{hour, minute}` or `null`); SQL null until the job has read it. */
  app_hour: string | null;
  /** The last user (users.seq) planned; 0 before the first page. */
  after_seq: number;
  planned: number;
  /** The audience's users, counted when planning started; null until then. */
  total: number | null;
  started_at: number;
  /** Set with the plan's waves. */
  finished_at: number | null;
}

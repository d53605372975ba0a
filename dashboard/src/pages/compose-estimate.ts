/** The answer of `estimateCampaign` (src/http/routes/campaign-estimate.schemas.ts): a draft, as its launch would go now. */
export interface CampaignEstimate {
  audience: number;
  willSend: number;
  subscriptions: Record<string, number>;
  leftOut: Record<EstimateReason, number>;
  at: string;
  exact: boolean;
  sample?: number;
}

/** The reasons in the order a send decides them, as the dialog lists them. */
export const ESTIMATE_REASONS = ['excluded', 'no_subscription', 'suppressed', 'quiet_held', 'passed', 'holdout', 'capped', 'render_failed'] as const;
export type EstimateReason = (typeof ESTIMATE_REASONS)[number];

declare module '../api/types.ts' {
  interface Answers {
    estimateCampaign: CampaignEstimate;
  }
}

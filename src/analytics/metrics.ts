import { ACTIVITY_TYPES } from '../store/schema.ts';
import { OPT_IN_EVENTS } from './event-types.ts';

/**
 * What the analytics API can answer (docs/analytics.md#metrics). Counts are rollup sums:
 * each activity type, and each of the SDK's opt-in steps. Rates are ratios of two counts
 * in the same bucket (`converted_direct` and `converted_influenced` split `converted` by kind), null when the denominator is 0 (nothing to divide, not 0 %).
 */
export const COUNT_METRICS = [...ACTIVITY_TYPES, 'converted_direct', 'converted_influenced', ...OPT_IN_EVENTS] as const;

export const RATE_METRICS = {
  /** Of the deliveries, the share clicked. */
  click_rate: ['clicked', 'delivered'],
  /** Of the displays the SDK confirmed, the share clicked. */
  confirmed_click_rate: ['clicked', 'displayed'],
  /** Of the deliveries, the share that converted (direct and influenced). */
  conversion_rate: ['converted', 'delivered'],
  /** Of the browser prompts shown, the share granted. */
  opt_in_rate: ['permission_granted', 'prompt_shown'],
  /** Of the deliveries, the share that ended a subscription (unsubscribed or pruned). */
  opt_out_rate: ['opted_out', 'delivered'],
} as const satisfies Record<string, readonly [string, string]>;

/** The conversions' revenue: the sum of their events' `value`. */
export const VALUE_METRICS = ['revenue'] as const;

export type Metric = (typeof COUNT_METRICS)[number] | keyof typeof RATE_METRICS | (typeof VALUE_METRICS)[number];

export const METRICS: readonly Metric[] = [...COUNT_METRICS, ...(Object.keys(RATE_METRICS) as (keyof typeof RATE_METRICS)[]), ...VALUE_METRICS];

/** A bucket's sums, by rollup type. */
export interface Sums {
  counts: Map<string, number>;
  revenue: number;
  /** Clicks per action button (a campaign's or a notification's own view). */
  actions: Map<string, number>;
}

export function emptySums(): Sums {
  return { counts: new Map(), revenue: 0, actions: new Map() };
}

/** The value of one metric from a bucket's sums. */
export function metricValue(sums: Sums, metric: Metric): number | null {
  if (metric === 'revenue') return round(sums.revenue);
  if (metric in RATE_METRICS) {
    const [num, den] = RATE_METRICS[metric as keyof typeof RATE_METRICS];
    const d = sums.counts.get(den) ?? 0;
    return d === 0 ? null : round((sums.counts.get(num) ?? 0) / d);
  }
  return sums.counts.get(metric) ?? 0;
}

/** Sums of floats come back from the store with binary noise (0.1 + 0.2): shown to 6 places. */
function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

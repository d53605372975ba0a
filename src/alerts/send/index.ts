import type { Context } from '../../context.ts';
import type { AudiencePager } from '../../delivery/audience-pager.ts';
import type { Personaliser } from '../../delivery/personaliser.ts';
import { alertPager } from './alert-pager.ts';
import { alertPersonaliser } from './alert-personaliser.ts';
import { AlertRecipientCache } from './alert-recipients.ts';

export { sendAlert, reachesPeople, alertCategory } from './send-alert.ts';
export { alertSendJob, ALERT_SEND_JOB } from './send-job.ts';
export { alertAudience } from './audience.ts';

/**
 * What delivery needs to send alerts, around what it has for everything else: the pages
 * of an alert's area and each recipient's `<info>`. Wired by the runtime.
 * @example const { pager, personaliser } = alertDelivery(ctx, { pager: inner, personaliser: campaigns });
 */
export function alertDelivery(ctx: Context, inner: { pager: AudiencePager; personaliser: Personaliser }): { pager: AudiencePager; personaliser: Personaliser } {
  const cache = new AlertRecipientCache(ctx);
  return { pager: alertPager(cache, inner.pager), personaliser: alertPersonaliser(ctx, inner.personaliser) };
}

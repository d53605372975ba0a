import { Type, type Static } from '@sinclair/typebox';
import { Id } from '../../message/fields.ts';

/** Schemas of the public alert page and the app's alert settings (public-alerts.ts). */

export const PublicAlertParams = Type.Object({ appId: Id, alertId: Id });
export type PublicAlertParams = Static<typeof PublicAlertParams>;

export const HtmlPage = { description: 'The page (HTML, no script)', content: { 'text/html': { schema: { type: 'string' } } } } as const;
export const AtomFeed = { description: 'An Atom feed (RFC 4287) whose entries hold the CAP messages as received', content: { 'application/atom+xml': { schema: { type: 'string' } } } } as const;

export const AlertSettings = Type.Object({
  publicPage: Type.Boolean({ description: 'Serve /public/apps/{appId}/alerts, its Atom feed and each alert’s page (true unless turned off)' }),
  apnsCriticalAlerts: Type.Boolean({ description: "The app's APNs credentials carry Apple's critical-alert entitlement: top-priority alerts go as interruption-level critical (time-sensitive otherwise; false unless set)" }),
});
/** The settings to change; those not named keep their value. */
export const AlertSettingsBody = Type.Object(
  { publicPage: Type.Optional(Type.Boolean()), apnsCriticalAlerts: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
);
export type AlertSettingsBody = Static<typeof AlertSettingsBody>;

import { Type, type Static } from '@sinclair/typebox';
import { CATEGORY_PATTERN } from '../../apps/categories.ts';
import { CAP_CATEGORIES } from '../../protocol/cap/types.ts';

/** Schemas of the app's alert settings (alert-settings.ts). */

const MappedCategory = Type.String({ pattern: CATEGORY_PATTERN, description: '`civic` or one of the app’s own categories (PATCH /v1/apps/{appId} categories)' });

const MAP_DOC =
  'CAP <category> (Geo, Met, Safety, Security, Rescue, Fire, Health, Env, Transport, Infra, CBRNE, Other) to the preference category its alerts are sent in, so a user can turn some off and keep others. ' +
  'An alert goes in the category the map gives the first <category> of its first <info> that the map names; civic otherwise. An alert with an Extreme <info> still goes with no category unless CARILLON_ALERT_EXTREME_IGNORES_PREFERENCES=false. See docs/civic-alerts.md#categories-a-user-can-turn-off.';

/** Each CAP 1.2 §3.2.2 `<category>` value, optional: the map names those it sends apart. */
function categoryMap(description: string) {
  return Type.Object(Object.fromEntries(CAP_CATEGORIES.map((c) => [c, Type.Optional(MappedCategory)])), { additionalProperties: false, description });
}

export const AlertSettings = Type.Object({
  publicPage: Type.Boolean({ description: 'Serve /public/apps/{appId}/alerts, its Atom feed and each alert’s page (true unless turned off)' }),
  apnsCriticalAlerts: Type.Boolean({ description: "The app's APNs credentials carry Apple's critical-alert entitlement: top-priority alerts go as interruption-level critical (time-sensitive otherwise; false unless set)" }),
  categories: categoryMap(MAP_DOC),
});
/** The settings to change; those not named keep their value. */
export const AlertSettingsBody = Type.Object(
  {
    publicPage: Type.Optional(Type.Boolean()),
    apnsCriticalAlerts: Type.Optional(Type.Boolean()),
    categories: Type.Optional(categoryMap(`${MAP_DOC} Replaces the whole map; {} sends every alert in civic again.`)),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type AlertSettingsBody = Static<typeof AlertSettingsBody>;

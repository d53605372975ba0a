import { Type, type Static } from '@sinclair/typebox';
import { appCategories } from '../apps/categories.ts';
import { ianaTimezone } from '../audience/users/validate-user.ts';
import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import { CapRules, validateCapRules } from './policy/index.ts';
import { formatTimeOfDay, QuietHours, validateQuietHours } from './timing/index.ts';

/** Globals: `{{ app.globals.supportUrl }}`. Small, flat and plain: they are copied into every render. */
export const GLOBALS_LIMITS = { maxKeys: 50, maxValueLength: 1_000 } as const;

const Globals = Type.Record(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' }), Type.Union([Type.String({ maxLength: GLOBALS_LIMITS.maxValueLength }), Type.Number(), Type.Boolean()]), {
  maxProperties: GLOBALS_LIMITS.maxKeys,
  propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' },
  description: '`{{ app.globals.<key> }}` in campaign templates: strings, numbers or booleans',
});

/** The campaign defaults of an app: every member optional; `null` clears one. */
export const CampaignSettingsPatch = Type.Object(
  {
    timezone: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()], { description: 'IANA zone of users whose own is unknown; UTC when none' })),
    quietHours: Type.Optional(Type.Union([QuietHours, Type.Null()])),
    capRules: Type.Optional(Type.Union([CapRules, Type.Null()])),
    globals: Type.Optional(Type.Union([Globals, Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type CampaignSettingsPatch = Static<typeof CampaignSettingsPatch>;

export const CampaignSettings = Type.Object({
  timezone: Type.Union([Type.String(), Type.Null()]),
  quietHours: Type.Union([QuietHours, Type.Null()]),
  capRules: CapRules,
  globals: Globals,
});
export type CampaignSettings = Static<typeof CampaignSettings>;

export async function getCampaignSettings(ctx: Context, appId: string): Promise<CampaignSettings> {
  const row = await ctx.store.db.selectFrom('apps').select(['timezone', 'quiet_hours', 'cap_rules', 'globals']).where('id', '=', appId).executeTakeFirst();
  if (!row) throw new ApiError('app_not_found', `No app with id ${appId}`);
  return {
    timezone: row.timezone,
    quietHours: row.quiet_hours === null ? null : (JSON.parse(row.quiet_hours) as CampaignSettings['quietHours']),
    capRules: row.cap_rules === null ? [] : (JSON.parse(row.cap_rules) as CampaignSettings['capRules']),
    globals: row.globals === null ? {} : (JSON.parse(row.globals) as CampaignSettings['globals']),
  };
}

/**
 * Changes an app's campaign defaults. Every member is checked before any is written, so a
 * refused request changes nothing: the zone (an IANA name), quiet hours (`HH:MM` to
 * `HH:MM`, may cross midnight), cap rules (docs/campaigns-policy.md; a category must be
 * one of the app's). The change applies to waves planned and batches sent from now on.
 */
export async function updateCampaignSettings(ctx: Context, appId: string, patch: CampaignSettingsPatch): Promise<CampaignSettings> {
  const set: { timezone?: string | null; quiet_hours?: string | null; cap_rules?: string | null; globals?: string | null } = {};
  if (patch.timezone !== undefined) set.timezone = patch.timezone === null ? null : ianaTimezone(patch.timezone);
  if (patch.quietHours !== undefined) {
    const w = patch.quietHours === null ? null : validateQuietHours(patch.quietHours, '/quietHours');
    set.quiet_hours = w === null ? null : JSON.stringify({ start: formatTimeOfDay(w.start), end: formatTimeOfDay(w.end) });
  }
  if (patch.capRules !== undefined) {
    const rules = patch.capRules === null ? [] : validateCapRules(patch.capRules, '/capRules', { categories: await appCategories(ctx.store.db, appId) });
    set.cap_rules = rules.length === 0 ? null : JSON.stringify(rules);
  }
  if (patch.globals !== undefined) set.globals = patch.globals === null || Object.keys(patch.globals).length === 0 ? null : JSON.stringify(patch.globals);
  const res = await ctx.store.db.updateTable('apps').set(set).where('id', '=', appId).executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw new ApiError('app_not_found', `No app with id ${appId}`);
  return getCampaignSettings(ctx, appId);
}

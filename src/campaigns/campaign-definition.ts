import { appCategories, checkCategory, pointerTo } from '../apps/categories.ts';
import type { Filter } from '../audience/filter/index.ts';
import { expandedFilter } from '../audience/segments/audience-filter.ts';
import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import type { CampaignAudience, CampaignInput } from './campaign-input.ts';
import { compileContent, type CompiledContent } from './content/index.ts';
import { validateVariants, type VariantsConfig } from './policy/index.ts';
import { validateSchedule, type Schedule } from './timing/index.ts';
import { checkConversion } from '../analytics/conversion-spec.ts';

/** A campaign as stored: the request's members, each checked (campaigns.definition). */
export type CampaignDefinition = CampaignInput;

/** What launching and sending need of a definition, parsed once. */
export interface PreparedCampaign {
  definition: CampaignDefinition;
  content: CompiledContent;
  /** Per variant id, its own content where it has one; the campaign's otherwise. */
  variantContent: Map<string, CompiledContent>;
  variants: VariantsConfig | null;
  /** Null: on launch. */
  schedule: Schedule | null;
}

/**
 * Checks a campaign before it is saved, member by member, each refusal with a pointer into
 * the body: the audience (its filter and segments exist now), the category (one of the
 * app's), every template of every version and variant (compiled: a syntax error is a 422
 * with line and column), the variants, the schedule (on the caller's clock). Nothing is
 * stored by a refused request.
 */
export async function checkCampaign(ctx: Context, appId: string, input: CampaignDefinition): Promise<PreparedCampaign> {
  await audienceFilter(ctx, appId, input.audience);
  if (input.category !== undefined) checkCategory(await appCategories(ctx.store.db, appId), input.category, ['category']);
  return prepare(input, ctx.now());
}

/**
 * The parsed form of a stored definition (checked when it was saved). `now` is the clock
 * a schedule is checked on: at save, "a time already passed" is refused.
 */
export function prepare(definition: CampaignDefinition, now?: number): PreparedCampaign {
  const strict = definition.strict === true;
  const content = compileContent(definition.content, { defaultLanguage: definition.defaultLanguage, strict, defaultLanguagePointer: '/defaultLanguage' }, '/content');
  const variants = definition.variants === undefined ? null : validateVariants(definition.variants, '/variants');
  const variantContent = new Map<string, CompiledContent>();
  for (const [i, v] of (variants?.split ?? []).entries()) {
    const own = v.content as CampaignDefinition['content'] | undefined;
    variantContent.set(v.id, own === undefined ? content : compileContent(own, { defaultLanguage: definition.defaultLanguage, strict }, `/variants/split/${i}/content`));
  }
  const schedule = definition.schedule === undefined ? null : validateSchedule(definition.schedule, '/schedule', now);
  if (definition.conversion !== undefined) checkConversion(definition.conversion);
  return { definition, content, variantContent, variants, schedule };
}

/**
 * The campaign's audience as one filter, its segments expanded as they are now: the
 * segment or filter, and not the users of the excluded segment.
 */
export async function audienceFilter(ctx: Context, appId: string, audience: CampaignAudience): Promise<Filter> {
  const given = (audience.segment !== undefined ? 1 : 0) + (audience.filter !== undefined ? 1 : 0);
  if (given !== 1) throw new ApiError('invalid_request', 'audience needs exactly one of segment or filter', { pointer: pointerTo('audience') });
  const base =
    audience.segment !== undefined
      ? await expandedFilter(ctx.store.db, appId, { segment: audience.segment }, '/audience/segment')
      : await expandedFilter(ctx.store.db, appId, audience.filter, '/audience/filter');
  if (audience.exclude === undefined) return base;
  const excluded = await expandedFilter(ctx.store.db, appId, { segment: audience.exclude.segment }, '/audience/exclude/segment');
  return { and: [base, { not: excluded }] };
}

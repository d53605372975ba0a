import { Type, type Static } from '@sinclair/typebox';
import { BUILT_IN_CATEGORIES, CATEGORY_PATTERN } from '../../apps/categories.ts';
import { parseDuration } from '../../audience/filter/duration.ts';
import { ApiError } from '../../errors/api-error.ts';
import { PolicyError, pointerAt } from './policy-error.ts';

/**
 * The limits of an app's frequency cap rules (docs/campaigns-policy.md#limits). Every rule
 * is one `count(distinct ...)` column of the caps query that runs for each page of every
 * campaign's audience, so the list stays short; the window bounds keep what the query
 * reads to a month of send_records per user.
 */
export const CAP_LIMITS = {
  /** Rules per app: Braze allows a handful per channel; more is a rule nobody can reason about. */
  maxRules: 10,
  /** Sends a rule may allow in its window: above a thousand a cap protects nobody. */
  maxSends: 1_000,
  /** The shortest window, ms (1 h): shorter is a throttle, which campaigns have apart. */
  minWindowMs: 3_600_000,
  /** The longest window, ms (30 d): send_records are read back this far for every page of users. */
  maxWindowMs: 30 * 86_400_000,
} as const;

/**
 * Categories whose sends neither obey nor count against marketing caps (migration 012:
 * `counts_for_caps` is 0 for them), so a rule scoped to one would never cap anyone.
 */
export const UNCAPPED_CATEGORIES: ReadonlySet<string> = new Set(['security', 'civic']);

/** One rule: at most `max` sends in any rolling `window`, of `category` only when it is given. */
export const CapRule = Type.Object(
  {
    max: Type.Integer({ minimum: 1, maximum: CAP_LIMITS.maxSends, description: 'sends allowed in the window; a send that would be one more is capped' }),
    window: Type.String({ pattern: '^[1-9][0-9]{0,5}[mhdw]$', description: 'rolling window before now: "12h", "7d", "2w"; from 1h to 30d' }),
    category: Type.Optional(Type.String({ pattern: CATEGORY_PATTERN, description: 'counts and caps only sends of this category; all marketing sends when absent' })),
  },
  { additionalProperties: false },
);
export type CapRule = Static<typeof CapRule>;

/** An app's rules: all must pass for a send to go. `[]` caps nothing. */
export const CapRules = Type.Array(CapRule, { maxItems: CAP_LIMITS.maxRules, description: 'frequency caps: every rule must pass (docs/campaigns-policy.md)' });
export type CapRules = Static<typeof CapRules>;

export interface ValidateCapRulesOptions {
  /** The app's categories (appCategories()); when given, a rule's category must be one of them. */
  categories?: readonly string[];
}

const MEMBERS = new Set(['max', 'window', 'category']);

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Checks parsed JSON of any shape against the rules' form and limits and returns it typed.
 * Nothing is coerced (`"3"` is not 3, `"24H"` is not a window). `pointer` is where the rules
 * sit in the request body (`/capping`); errors point below it (`#/capping/1/window`).
 *
 * @throws PolicyError `invalid_cap_rules` (with `limit` when over one); ApiError
 *   `unknown_category` when `categories` is given and a rule names another.
 * @example validateCapRules([{ max: 3, window: '24h', category: 'promotions' }, { max: 10, window: '7d' }], '/capping')
 */
export function validateCapRules(input: unknown, pointer = '/capping', options: ValidateCapRulesOptions = {}): CapRules {
  const refuse = (detail: string, tokens: (string | number)[] = [], extra: Record<string, unknown> = {}): never => {
    throw new PolicyError('invalid_cap_rules', pointerAt(pointer, ...tokens), detail, extra);
  };
  if (!Array.isArray(input)) refuse('must be an array of rules');
  const list = input as unknown[];
  if (list.length > CAP_LIMITS.maxRules) refuse(`has ${list.length} rules; at most ${CAP_LIMITS.maxRules}`, [], { limit: 'rules' });
  return list.map((raw, i): CapRule => {
    if (!isObject(raw)) refuse('must be an object {max, window, category?}', [i]);
    const rule = raw as Record<string, unknown>;
    for (const key of Object.keys(rule)) if (!MEMBERS.has(key)) refuse(`unknown member "${key}"`, [i, key]);
    const { max, window, category } = rule;
    if (max === undefined) refuse('max is required', [i]);
    if (typeof max !== 'number' || !Number.isInteger(max)) refuse('must be a whole number', [i, 'max']);
    if ((max as number) < 1 || (max as number) > CAP_LIMITS.maxSends) refuse(`must be from 1 to ${CAP_LIMITS.maxSends}`, [i, 'max'], { limit: 'max' });
    if (window === undefined) refuse('window is required', [i]);
    const ms = parseDuration(window);
    if (ms === undefined) refuse('must be a duration such as "24h" or "7d" (a whole number and m, h, d or w)', [i, 'window']);
    if (ms! < CAP_LIMITS.minWindowMs || ms! > CAP_LIMITS.maxWindowMs) refuse('must be from 1h to 30d', [i, 'window'], { limit: 'window' });
    if (category === undefined) return { max: max as number, window: window as string };
    if (typeof category !== 'string' || !new RegExp(CATEGORY_PATTERN).test(category)) {
      refuse('must be a category name: lower case, a letter first, up to 32 characters', [i, 'category']);
    }
    const name = category as string;
    if (UNCAPPED_CATEGORIES.has(name)) refuse(`${name} sends never count against caps, so a rule on them would cap nobody`, [i, 'category']);
    if (options.categories && !options.categories.includes(name)) {
      const fragment = pointerAt(pointer, i, 'category');
      const known = options.categories.length ? options.categories : BUILT_IN_CATEGORIES;
      throw new ApiError('unknown_category', `${fragment}: "${name}" is not one of the app's categories (${known.join(', ')})`, { pointer: fragment });
    }
    return { max: max as number, window: window as string, category: name };
  });
}

/** The rule's window in ms; the rule must have passed validateCapRules. */
export function windowMs(rule: CapRule): number {
  const ms = parseDuration(rule.window);
  if (ms === undefined || ms < CAP_LIMITS.minWindowMs || ms > CAP_LIMITS.maxWindowMs) throw new RangeError(`cap rule window ${rule.window} was not validated`);
  return ms;
}

/** What a capped recipient's send record says (`detail`): the rule, as the operator wrote it. */
export function capDetail(rule: CapRule, index: number): string {
  return `cap rule ${index}: at most ${rule.max} in ${rule.window}${rule.category ? ` of ${rule.category}` : ''}`;
}

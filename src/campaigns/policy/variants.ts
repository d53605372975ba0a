import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { parseDuration } from '../../audience/filter/duration.ts';
import { PolicyError, pointerAt } from './policy-error.ts';

/** The limits of a campaign's A/B set-up (docs/campaigns-policy.md#ab-tests). */
export const VARIANT_LIMITS = {
  /** Variants per campaign, as the issue asks: more splits the test group so thin no test can tell them apart. */
  maxVariants: 8,
  /** A weight, a whole number: relative, so 1:1, 50:50 and 30:70 all read as people write them. */
  maxWeight: 10_000,
  /** The holdout's share at most: a control larger than the campaign leaves little to measure lift on. */
  maxHoldout: 0.5,
  /** The winner test's share of the audience: at least 1% (a test needs clicks to count), at most half (the rest should get the winner). */
  minTestShare: 0.01,
  maxTestShare: 0.5,
  /** How long the test runs before the decision, ms: at least an hour for clicks to come in, at most a week. */
  minWaitMs: 3_600_000,
  maxWaitMs: 7 * 86_400_000,
} as const;

/** What winner mode does when the test finds no winner. */
export type Otherwise = 'send_best' | 'stop';

/** The defaults of winner mode, as the issue gives them. */
export const WINNER_DEFAULTS = { testShare: 0.2, wait: '4h', otherwise: 'send_best' as Otherwise };

/** Letters, digits, `_` and `-`: a variant id is stored in send_records.variant and shown in reports. */
export const VARIANT_ID_PATTERN = '^[A-Za-z0-9_-]{1,32}$';

/**
 * The `variants` member of a campaign, its variants' `content` of the schema given (the
 * content part's CampaignContent, which the campaign route composes in).
 */
export function variantsSchema<C extends TSchema>(content: C) {
  const Variant = Type.Object(
    {
      id: Type.String({ pattern: VARIANT_ID_PATTERN, description: 'stored with each send; unique in the campaign' }),
      weight: Type.Integer({ minimum: 1, maximum: VARIANT_LIMITS.maxWeight, description: 'relative share of the audience (1:1, 30:70)' }),
      content: Type.Optional(content),
    },
    { additionalProperties: false },
  );
  return Type.Object(
    {
      split: Type.Array(Variant, { minItems: 1, maxItems: VARIANT_LIMITS.maxVariants }),
      holdout: Type.Optional(Type.Number({ minimum: 0, maximum: VARIANT_LIMITS.maxHoldout, description: 'share of the audience sent nothing, to measure lift (0.1 = 10%)' })),
      winner: Type.Optional(
        Type.Object(
          {
            testShare: Type.Optional(Type.Number({ minimum: VARIANT_LIMITS.minTestShare, maximum: VARIANT_LIMITS.maxTestShare, description: 'share of the audience the test goes to; 0.2 by default' })),
            wait: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,5}[mhdw]$', description: 'how long the test runs: "4h" by default, 1h to 7d' })),
            otherwise: Type.Optional(Type.Union([Type.Literal('send_best'), Type.Literal('stop')], { description: 'when the test finds no winner; send_best by default' })),
          },
          { additionalProperties: false, description: 'winner mode: test on a share, then send the winner to the rest' },
        ),
      ),
    },
    { additionalProperties: false },
  );
}

/** The schema with any JSON object as content, for callers that check content apart. */
export const Variants = variantsSchema(Type.Record(Type.String(), Type.Unknown()));
export type VariantsInput = Static<typeof Variants>;

/** A variant as assignment needs it. */
export interface Variant {
  id: string;
  weight: number;
  /** As given; the content part compiles it (pointer `${pointer}/split/${i}/content`). */
  content?: unknown;
}

/** A checked set-up with winner mode's defaults filled in. */
export interface VariantsConfig {
  split: Variant[];
  holdout: number;
  winner: { testShare: number; wait: string; waitMs: number; otherwise: Otherwise } | null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Checks a campaign's `variants` (parsed JSON of any shape) and returns it with winner
 * mode's defaults. Nothing is coerced. `pointer` is where it sits in the body.
 *
 * @throws PolicyError `invalid_variants` with the pointer (and `limit` when over one).
 * @example validateVariants({ split: [{ id: 'a', weight: 1 }, { id: 'b', weight: 1 }], holdout: 0.05, winner: {} }, '/variants')
 */
export function validateVariants(input: unknown, pointer = '/variants'): VariantsConfig {
  const refuse = (detail: string, tokens: (string | number)[] = [], extra: Record<string, unknown> = {}): never => {
    throw new PolicyError('invalid_variants', pointerAt(pointer, ...tokens), detail, extra);
  };
  const known = (obj: Record<string, unknown>, members: string[], at: (string | number)[]) => {
    for (const key of Object.keys(obj)) if (!members.includes(key)) refuse(`unknown member "${key}"`, [...at, key]);
  };
  if (!isObject(input)) return refuse('must be an object {split, holdout?, winner?}');
  known(input, ['split', 'holdout', 'winner'], []);
  const { split, holdout = 0, winner } = input;
  if (!Array.isArray(split)) return refuse('split must be an array of variants', split === undefined ? [] : ['split']);
  if (split.length < 1 || split.length > VARIANT_LIMITS.maxVariants) refuse(`must hold 1 to ${VARIANT_LIMITS.maxVariants} variants`, ['split'], { limit: 'variants' });
  const ids = new Set<string>();
  const variants = split.map((raw: unknown, i): Variant => {
    if (!isObject(raw)) return refuse('must be an object {id, weight, content?}', ['split', i]);
    known(raw, ['id', 'weight', 'content'], ['split', i]);
    const { id, weight, content } = raw;
    if (typeof id !== 'string' || !new RegExp(VARIANT_ID_PATTERN).test(id)) refuse('must be 1 to 32 letters, digits, _ or -', ['split', i, 'id']);
    if (ids.has(id as string)) refuse(`repeats the id "${id as string}"`, ['split', i, 'id']);
    ids.add(id as string);
    if (typeof weight !== 'number' || !Number.isInteger(weight)) refuse('must be a whole number', ['split', i, 'weight']);
    if ((weight as number) < 1 || (weight as number) > VARIANT_LIMITS.maxWeight) refuse(`must be from 1 to ${VARIANT_LIMITS.maxWeight}`, ['split', i, 'weight'], { limit: 'weight' });
    if (content !== undefined && !isObject(content)) refuse('must be an object of language versions', ['split', i, 'content']);
    return content === undefined ? { id: id as string, weight: weight as number } : { id: id as string, weight: weight as number, content };
  });
  if (typeof holdout !== 'number' || !Number.isFinite(holdout)) refuse('must be a number, a share from 0 to 0.5', ['holdout']);
  if ((holdout as number) < 0 || (holdout as number) > VARIANT_LIMITS.maxHoldout) refuse('must be a share from 0 to 0.5', ['holdout'], { limit: 'holdout' });
  return { split: variants, holdout: holdout as number, winner: winner === undefined ? null : winnerMode(winner, variants.length, refuse) };
}

function winnerMode(input: unknown, count: number, refuse: (detail: string, tokens?: (string | number)[], extra?: Record<string, unknown>) => never): NonNullable<VariantsConfig['winner']> {
  if (!isObject(input)) return refuse('must be an object {testShare?, wait?, otherwise?}', ['winner']);
  for (const key of Object.keys(input)) if (!['testShare', 'wait', 'otherwise'].includes(key)) refuse(`unknown member "${key}"`, ['winner', key]);
  // A test needs something to compare: one variant and a holdout measures lift, not a winner.
  if (count < 2) refuse('winner mode needs at least 2 variants', ['split'], { limit: 'variants' });
  const { testShare = WINNER_DEFAULTS.testShare, wait = WINNER_DEFAULTS.wait, otherwise = WINNER_DEFAULTS.otherwise } = input;
  if (typeof testShare !== 'number' || !Number.isFinite(testShare)) refuse('must be a number, a share from 0.01 to 0.5', ['winner', 'testShare']);
  if ((testShare as number) < VARIANT_LIMITS.minTestShare || (testShare as number) > VARIANT_LIMITS.maxTestShare) refuse('must be a share from 0.01 to 0.5', ['winner', 'testShare'], { limit: 'testShare' });
  const waitMs = parseDuration(wait);
  if (waitMs === undefined) refuse('must be a duration such as "4h" (a whole number and m, h, d or w)', ['winner', 'wait']);
  if (waitMs! < VARIANT_LIMITS.minWaitMs || waitMs! > VARIANT_LIMITS.maxWaitMs) refuse('must be from 1h to 7d', ['winner', 'wait'], { limit: 'wait' });
  if (otherwise !== 'send_best' && otherwise !== 'stop') refuse('must be "send_best" or "stop"', ['winner', 'otherwise']);
  return { testShare: testShare as number, wait: wait as string, waitMs: waitMs!, otherwise: otherwise as Otherwise };
}

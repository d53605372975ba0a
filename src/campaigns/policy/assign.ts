import { createHash } from 'node:crypto';
import type { Variant, VariantsConfig } from './variants.ts';

/**
 * Deterministic A/B assignment. Every decision is a pure function of the campaign id, the
 * user's key and the set-up, through SHA-256: any worker on any machine, and a rerun after
 * a crash or a resume, puts a user in the same place, with nothing stored to agree on.
 * SHA-256 rather than a faster non-cryptographic hash because it is in node:crypto,
 * identical everywhere, and its output is uniform enough that shares hold on small
 * audiences too (assign.test.ts checks them on 100,000 keys); it costs about a
 * microsecond a user, little beside the encryption of the send.
 *
 * Each decision draws from its own hash (`purpose`), so they are independent: the test
 * group holds the variants in their weights, and changing the holdout share moves users
 * in or out of the holdout without reshuffling which variant the others get.
 */

/** A number in [0, 1) for (purpose, campaign, user); 48 bits of the digest, exact in a double. */
export function unitHash(purpose: string, campaignId: string, userKey: string): number {
  // JSON of the triple: unambiguous, so ("a", "bc") and ("ab", "c") do not collide.
  const digest = createHash('sha256').update(JSON.stringify([purpose, campaignId, userKey])).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

export type Assignment = { holdout: true } | { holdout: false; variant: string };

/**
 * The user's variant, or the holdout: a `holdoutShare` of users (0.1 = 10%) get nothing,
 * the others a variant with the chance of its weight among the weights.
 *
 * `userKey` is what identifies the recipient for good: the user's external id (or, for a
 * subscription without a user, its id), never a seq that a re-import would change.
 *
 * @example assignVariant('cmp_1', 'user-42', [{ id: 'a', weight: 1 }, { id: 'b', weight: 3 }], 0.1)
 */
export function assignVariant(campaignId: string, userKey: string, variants: readonly Pick<Variant, 'id' | 'weight'>[], holdoutShare: number): Assignment {
  if (variants.length === 0) throw new RangeError('assignVariant needs at least one variant');
  if (holdoutShare > 0 && unitHash('holdout', campaignId, userKey) < holdoutShare) return { holdout: true };
  const total = variants.reduce((s, v) => s + v.weight, 0);
  let point = unitHash('variant', campaignId, userKey) * total;
  for (const v of variants) {
    if (point < v.weight) return { holdout: false, variant: v.id };
    point -= v.weight;
  }
  // Rounding can leave the point a hair past the last weight.
  return { holdout: false, variant: variants[variants.length - 1]!.id };
}

/** Whether the user is in winner mode's test group (a `testShare` of the audience, 0.2 = 20%). */
export function inTestGroup(campaignId: string, userKey: string, testShare: number): boolean {
  return unitHash('test', campaignId, userKey) < testShare;
}

/**
 * Where a recipient of the campaign stands:
 * - `holdout`: sent nothing, counted `holdout` (drawn first, for the whole audience, so
 *   the control measures the lift of the campaign as sent, test and rest alike);
 * - `variant`: no winner mode, sent this variant now;
 * - `test`: winner mode, in the test group, sent this variant now;
 * - `rest`: winner mode, waits for the decision (decideWinner), then gets the winner or nothing.
 */
export type Placement = { kind: 'holdout' } | { kind: 'variant'; variant: string } | { kind: 'test'; variant: string } | { kind: 'rest' };

export function placeRecipient(campaignId: string, userKey: string, config: VariantsConfig): Placement {
  const a = assignVariant(campaignId, userKey, config.split, config.holdout);
  if (a.holdout) return { kind: 'holdout' };
  if (config.winner === null) return { kind: 'variant', variant: a.variant };
  return inTestGroup(campaignId, userKey, config.winner.testShare) ? { kind: 'test', variant: a.variant } : { kind: 'rest' };
}

/**
 * Campaign policy: frequency caps over send_records and A/B variants (assignment, the
 * chi-squared test, the winner). docs/campaigns-policy.md.
 */
export { CAP_LIMITS, CapRule, CapRules, UNCAPPED_CATEGORIES, capDetail, validateCapRules, windowMs, type ValidateCapRulesOptions } from './cap-rules.ts';
export { CAP_QUERY_USERS, cappedUsers, capsQuery, type CapHit, type CapOptions, type CapsDatabase } from './capped-users.ts';
export { PolicyError, pointerAt, type PolicyErrorCode } from './policy-error.ts';
export { VARIANT_ID_PATTERN, VARIANT_LIMITS, Variants, WINNER_DEFAULTS, validateVariants, variantsSchema, type Otherwise, type Variant, type VariantsConfig, type VariantsInput } from './variants.ts';
export { assignVariant, inTestGroup, placeRecipient, unitHash, type Assignment, type Placement } from './assign.ts';
export { chiSquaredCdf, chiSquaredSurvival, chiSquaredTest, type ChiSquaredResult, type ClickRow } from './chi-squared.ts';
export { decideWinner, type Decision, type DecisionReason, type DecideOptions, type VariantResult } from './decide-winner.ts';

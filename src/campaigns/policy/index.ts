/**
 * Campaign policy: frequency caps over send_records and A/B variants (assignment, the
 * chi-squared test, the winner). docs/campaigns-policy.md.
 */
export { CAP_LIMITS, CapRule, CapRules, UNCAPPED_CATEGORIES, capDetail, validateCapRules, windowMs, type ValidateCapRulesOptions } from './cap-rules.ts';
export { CAP_QUERY_USERS, cappedUsers, capsQuery, type CapHit, type CapsDatabase } from './capped-users.ts';
export { PolicyError, pointerAt, type PolicyErrorCode } from './policy-error.ts';

/** The audience filter language: validation, segment expansion, SQL, and the in-memory oracle (docs/audience.md). */
export * from './types.ts';
export * from './limits.ts';
export { parseDuration } from './duration.ts';
export { FilterError, type FilterErrorCode } from './filter-error.ts';
export { formatPointer, resolvePointer } from './json-pointer.ts';
export { validateFilter, filterSize, type FilterResult } from './validate-filter.ts';
export { expandSegments, prepareFilter } from './resolve-segments.ts';
export { testsSubscriptions } from './scope.ts';
export { evaluateAudience, matchesSubscription, matchesUser, type AudienceUser, type AudienceSubscription, type AudienceEvent, type AudienceCount, type AttributeValue } from './evaluate.ts';
export { audienceSql, type AudienceSql } from './sql/capabilities.ts';
export type { CompileContext } from './sql/context.ts';
export { compileFilter } from './sql/compile-filter.ts';
export { whereUsers } from './sql/where-users.ts';
export { compileContext, type AudienceQueryOptions } from './sql/audience-query.ts';
export { subscriptionsMatching, streamSubscriptions, type MatchingSubscription, type PageOptions } from './sql/subscriptions-matching.ts';
export { countAudience } from './sql/count-audience.ts';

import type { Filter } from './types.ts';

/**
 * Whether the filter tests subscriptions (`tag`, `channel`) as well as users. A filter is
 * evaluated on each subscription together with its user (docs/audience.md, "Users and
 * subscriptions"); one without subscription tests is a question about the user alone.
 */
export function testsSubscriptions(f: Filter): boolean {
  if ('and' in f) return f.and.some(testsSubscriptions);
  if ('or' in f) return f.or.some(testsSubscriptions);
  if ('not' in f) return testsSubscriptions(f.not);
  return 'tag' in f || 'channel' in f;
}

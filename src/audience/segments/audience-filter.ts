import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import { prepareFilter, type Filter } from '../filter/index.ts';
import { filterAt } from './filter-at.ts';
import { segmentResolver } from './resolver.ts';

/**
 * The filter a request sent, validated and with its segments expanded from the app's
 * segments as they are now: the form the compiler, the estimate and a send use. Refusals
 * point into the request body from `at` (filter-at.ts).
 */
export async function expandedFilter(db: Kysely<Database>, appId: string, input: unknown, at: string): Promise<Filter> {
  const prepared = await prepareFilter(input, segmentResolver(db, appId));
  if (!prepared.ok) throw filterAt(prepared.error, at);
  return prepared.filter;
}

/** The ids of the segments a filter names, each once, in the order first named. */
export function segmentsNamed(f: Filter): string[] {
  const found = new Set<string>();
  const walk = (g: Filter): void => {
    if ('and' in g) g.and.forEach(walk);
    else if ('or' in g) g.or.forEach(walk);
    else if ('not' in g) walk(g.not);
    else if ('segment' in g) found.add(g.segment);
  };
  walk(f);
  return [...found];
}

/**
 * Section 7's three audience sizes: each a filter of the segment language, sized by
 * Carillon's compiler (`countAudience`), and the same count written by hand as a full scan
 * (the JSON attributes column, every event row, no index), the peer. Both give the
 * subscriptions and the distinct users they belong to, so the sizes can be compared.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { countAudience, type Filter } from '../../src/audience/filter/index.ts';
import type { Store } from '../../src/store/database.ts';

const DAY = 86_400_000;

export interface AudienceQuery {
  key: 'a' | 'b' | 'c';
  title: string;
  filter: Filter;
  /** What the peer does, for the table. */
  scan: string;
  /** The hand-written full scan: rows { subscriptions, users }. */
  peer(dialect: Store['caps']['dialect'], appId: string, now: number): RawBuilder<{ subscriptions: number; users: number }>;
}

export interface Size {
  subscriptions: number;
  users: number;
}

/** The app's subscriptions joined to their users, as the audience is defined (docs/audience.md). */
const FROM = (notIndexed: string) => sql.raw(`from users u ${notIndexed} join subscriptions s on s.app_id = u.app_id and s.user_id = u.external_id`);
const COUNTS = sql.raw('select count(*) as subscriptions, count(distinct u.seq) as users');
const plan = (dialect: Store['caps']['dialect']) => sql.raw(dialect === 'postgres' ? `(cast(u.attributes as jsonb) ->> 'plan')` : `json_extract(u.attributes, '$.plan')`);
/** SQLite's NOT INDEXED: the planner may use no index on that table. PostgreSQL's planner is told so by settings (see `scanned`). */
const noIndex = (dialect: Store['caps']['dialect']) => (dialect === 'postgres' ? '' : 'not indexed');

export const QUERIES: AudienceQuery[] = [
  {
    key: 'a',
    title: 'one attribute equality',
    filter: { attribute: 'plan', op: 'eq', value: 'pro' },
    scan: 'plan read from the JSON attributes of every user',
    peer: (d, appId) => sql`${COUNTS} ${FROM(noIndex(d))} where u.app_id = ${appId} and ${plan(d)} = 'pro'`,
  },
  {
    key: 'b',
    title: 'an event count within 7 days',
    filter: { event: 'viewed_item', count: { gte: 3 }, within: '7d' },
    scan: 'every event row grouped by user',
    peer: (d, appId, now) => sql`${COUNTS} from (select user_seq from user_events ${sql.raw(noIndex(d))}
        where app_id = ${appId} and name = 'viewed_item' and at >= ${now - 7 * DAY} and at <= ${now}
        group by user_seq having count(*) >= 3) c
      join users u on u.seq = c.user_seq join subscriptions s on s.app_id = u.app_id and s.user_id = u.external_id`,
  },
  {
    key: 'c',
    title: 'attribute AND (no event in 7 days OR lastSeenAt older_than 14d)',
    filter: {
      and: [
        { attribute: 'plan', op: 'eq', value: 'pro' },
        { or: [{ event: 'purchase', count: { eq: 0 }, within: '7d' }, { attribute: 'lastSeenAt', op: 'older_than', value: '14d' }] },
      ],
    },
    scan: 'JSON attributes of every user, every event row',
    peer: (d, appId, now) => sql`${COUNTS} ${FROM(noIndex(d))} where u.app_id = ${appId} and ${plan(d)} = 'pro'
      and (u.seq not in (select user_seq from user_events ${sql.raw(noIndex(d))} where app_id = ${appId} and name = 'purchase' and at >= ${now - 7 * DAY} and at <= ${now})
        or u.last_seen_at < ${now - 14 * DAY})`,
  },
];

export async function carillonSize(store: Store, appId: string, q: AudienceQuery, now: number): Promise<Size> {
  const c = await countAudience(store.db, appId, q.filter, { now, caps: store.caps });
  return { subscriptions: c.subscriptions, users: c.users };
}

/** The peer's count; on PostgreSQL in a transaction whose planner may use no index. */
export async function scannedSize(store: Store, appId: string, q: AudienceQuery, now: number): Promise<Size> {
  const query = q.peer(store.caps.dialect, appId, now);
  const run = async (db: Kysely<any>) => {
    const row = (await query.execute(db)).rows[0]!;
    return { subscriptions: Number(row.subscriptions), users: Number(row.users) };
  };
  if (store.caps.dialect !== 'postgres') return run(store.db);
  return store.db.transaction().execute(async (tx) => {
    for (const setting of ['enable_indexscan', 'enable_indexonlyscan', 'enable_bitmapscan']) await sql.raw(`set local ${setting} = off`).execute(tx);
    return run(tx);
  });
}

import { sql, type Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import { UNCAPPED_CATEGORIES, windowMs, type CapRule } from './cap-rules.ts';

/** Why a user is capped: the first rule (in the app's order) their sends have filled. */
export interface CapHit {
  /** Index of the rule in the app's list, as `capDetail` names it. */
  index: number;
  rule: CapRule;
  /** Distinct notifications of the rule's scope the user was sent in its window. */
  count: number;
}

/**
 * User seqs per statement: SQLite binds at most 32,766 parameters and PostgreSQL 65,535;
 * a delivery page is 500 (config batchSize), so a page is one statement.
 */
export const CAP_QUERY_USERS = 1_000;

/** The database the caps query needs: only send_records. */
export type CapsDatabase = Pick<Database, 'send_records'>;

/**
 * The users of a page who may not be sent a `category` notification at `now`, each with
 * the rule that caps them; users absent from the map may be sent.
 *
 * A rule applies to the send when it has no category or names the send's own; every rule
 * that applies must pass: the user is capped when the distinct notifications already sent
 * to them in the rule's scope within `(now - window, now]` number `max` or more (one more
 * would break it). Counted are send_records with `counts_for_caps = 1` (marketing sends
 * that went out, migration 012); a notification to three of a user's devices counts once,
 * since caps protect a person's attention, not a device's.
 *
 * One grouped query per page (the `send_records_caps` index: app, user, counts, at,
 * category), one `count(distinct ...)` column per rule, so the cost is the user's
 * sends in the longest window, not the number of rules.
 *
 * `options.notificationId` is the notification being sent: its own rows never count. A
 * user's devices may fall in different batches, and a batch may be retried; without this
 * the first batch's sends would cap the same notification's later ones.
 *
 * @example cappedUsers(db, 'app_1', [41, 42, 43], 'promotions', Date.now(), [{ max: 3, window: '24h', category: 'promotions' }, { max: 10, window: '7d' }], { notificationId: 'ntf_1' })
 */
export async function cappedUsers(
  db: Kysely<CapsDatabase> | Kysely<Database>,
  appId: string,
  userSeqs: readonly number[],
  category: string | null,
  now: number,
  rules: readonly CapRule[],
  options: CapOptions = {},
): Promise<Map<number, CapHit>> {
  const capped = new Map<number, CapHit>();
  // Sign-in approvals, one-time codes and public alerts neither obey nor count against caps.
  if (category !== null && UNCAPPED_CATEGORIES.has(category)) return capped;
  const applying = applyingRules(rules, category, now);
  if (applying.length === 0 || userSeqs.length === 0) return capped;
  const seqs = [...new Set(userSeqs)];
  for (let i = 0; i < seqs.length; i += CAP_QUERY_USERS) {
    const rows = await groupedQuery(db as Kysely<CapsDatabase>, appId, seqs.slice(i, i + CAP_QUERY_USERS), category, applying, options).execute();
    for (const row of rows) {
      const r = row as unknown as Record<string, number | string>;
      // The first rule in the app's order names the cap, so the reason is stable across runs.
      for (const a of applying) {
        const count = Number(r[`r${a.index}`]);
        if (count >= a.rule.max) {
          capped.set(Number(r.user_seq), { index: a.index, rule: a.rule, count });
          break;
        }
      }
    }
  }
  return capped;
}

export interface CapOptions {
  /** The notification being sent, whose own send records are left out of the counts. */
  notificationId?: string;
}

interface Applying {
  rule: CapRule;
  index: number;
  since: number;
}

/** The rules that apply to a send of `category`, with where each one's window starts. */
function applyingRules(rules: readonly CapRule[], category: string | null, now: number): Applying[] {
  return rules.map((rule, index) => ({ rule, index, since: now - windowMs(rule) })).filter(({ rule }) => rule.category === undefined || rule.category === category);
}

/** The statement cappedUsers runs for a page (at most CAP_QUERY_USERS seqs), for EXPLAIN; undefined when no rule applies. */
export function capsQuery(db: Kysely<CapsDatabase> | Kysely<Database>, appId: string, seqs: readonly number[], category: string | null, now: number, rules: readonly CapRule[], options: CapOptions = {}) {
  const applying = applyingRules(rules, category, now);
  return applying.length === 0 ? undefined : groupedQuery(db as Kysely<CapsDatabase>, appId, seqs, category, applying, options);
}

/**
 * The grouped statement for one chunk of users.
 *
 * `at > since` (strictly) makes the window rolling and half-open: a send exactly `window`
 * ago no longer counts. Sends at or after `now` (a clock a little ahead on another worker)
 * count, so a cap is never read as looser than it is.
 */
function groupedQuery(db: Kysely<CapsDatabase>, appId: string, seqs: readonly number[], category: string | null, applying: readonly Applying[], options: CapOptions) {
  const oldest = Math.min(...applying.map((a) => a.since));
  // When every applying rule is scoped to the send's category, only that category's rows
  // are read; the index holds category last, so it filters without visiting the table.
  const scoped = applying.every((a) => a.rule.category !== undefined);
  let q = db
    .selectFrom('send_records')
    .select('user_seq')
    .where('app_id', '=', appId)
    .where('user_seq', 'in', seqs)
    .where('counts_for_caps', '=', 1)
    .where('at', '>', oldest);
  if (scoped && category !== null) q = q.where('category', '=', category);
  if (options.notificationId !== undefined) q = q.where('notification_id', '<>', options.notificationId);
  for (const a of applying) q = q.select(ruleCount(a).as(`r${a.index}`));
  // Only the capped come back: most users of a page are under every cap.
  return q.groupBy('user_seq').having((eb) => eb.or(applying.map((a) => eb(ruleCount(a), '>=', a.rule.max))));
}

/** Distinct notifications in the rule's scope: a user's devices of one notification count once. */
function ruleCount(a: Applying) {
  const inScope = a.rule.category === undefined ? sql`at > ${a.since}` : sql`at > ${a.since} and category = ${a.rule.category}`;
  return sql<number>`count(distinct case when ${inScope} then notification_id end)`;
}

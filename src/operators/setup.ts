import { randomBytes } from 'node:crypto';
import { hashKey } from '../crypto/tokens.ts';
import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import { checkPassword, createOperator, type OperatorView } from './accounts.ts';

/**
 * The one-time setup link of a first start: while no operator exists, each start makes a
 * new token (the older ones stop working) and the CLI prints `/dashboard/setup#token=...`.
 * The token is in the URL fragment, which browsers never send, so no access log keeps it;
 * the store keeps its SHA-256 and an expiry (setupLinkTtl).
 */
export async function issueSetupToken(ctx: Context): Promise<string | undefined> {
  const db = ctx.store.db;
  const any = await db.selectFrom('operators').select('id').limit(1).executeTakeFirst();
  if (any) return undefined;
  const token = randomBytes(32).toString('base64url');
  const now = ctx.now();
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('operator_setup_tokens').execute();
    await tx.insertInto('operator_setup_tokens').values({ token_hash: hashKey(token), created_at: now, expires_at: now + ctx.config.setupLinkTtl }).execute();
  });
  return token;
}

/** Spends the token and makes the first operator, an administrator; a used or expired token is refused. */
export async function completeSetup(ctx: Context, input: { token: string; email: string; password: string }): Promise<OperatorView> {
  // A password that would be refused must not spend the link.
  checkPassword(input.password);
  // The link makes the FIRST operator: once one exists (made with the admin key, or by
  // another link of a process that started at the same time), a link printed to a log
  // must not make another administrator.
  const any = await ctx.store.db.selectFrom('operators').select('id').limit(1).executeTakeFirst();
  const spent = await ctx.store.db.deleteFrom('operator_setup_tokens').where('token_hash', '=', hashKey(input.token)).where('expires_at', '>', ctx.now()).executeTakeFirst();
  if (any || spent.numDeletedRows === 0n) throw new ApiError('setup_link_invalid', 'This setup link is unknown, used or expired: restart Carillon to print a new one while no operator exists');
  return createOperator(ctx, { ...input, admin: true });
}

import { newId } from '../crypto/tokens.ts';
import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import type { OperatorRole } from '../store/schema-operators.ts';
import { fieldError } from './field-error.ts';
import { decoyHash, hashPassword, PASSWORD_MAX, PASSWORD_MIN, verifyPassword } from './password.ts';
import { spendTotp } from './totp.ts';

export interface OperatorView {
  id: string;
  email: string;
  admin: boolean;
  totp: boolean;
  createdAt: string;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function checkPassword(password: string, member = 'password'): void {
  const length = [...password].length;
  if (length < PASSWORD_MIN || length > PASSWORD_MAX) throw fieldError('weak_password', member, `A password has ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`);
}

export async function createOperator(ctx: Context, input: { email: string; password: string; admin?: boolean }): Promise<OperatorView> {
  checkPassword(input.password);
  const email = normaliseEmail(input.email);
  const existing = await ctx.store.db.selectFrom('operators').select('id').where('email', '=', email).executeTakeFirst();
  if (existing) throw fieldError('operator_exists', 'email', `An operator with the email ${email} exists`);
  const id = newId('op');
  const now = ctx.now();
  await ctx.store.db
    .insertInto('operators')
    .values({ id, email, password_hash: await hashPassword(input.password), admin: input.admin ? 1 : 0, totp_secret: null, totp_pending: null, totp_last_step: null, created_at: now })
    .execute();
  // Setup links are for the first operator only (setup.ts): any operator ends them.
  await ctx.store.db.deleteFrom('operator_setup_tokens').execute();
  return { id, email, admin: input.admin ?? false, totp: false, createdAt: new Date(now).toISOString() };
}

/**
 * The operator id for an email, password and (when enrolled) TOTP code. The password is
 * checked first and a decoy hash is verified for an unknown email, so the answer does not
 * tell which emails have accounts; the second factor is asked for only after the password.
 */
export async function checkSignIn(ctx: Context, input: { email: string; password: string; code?: string }): Promise<string> {
  const row = await ctx.store.db.selectFrom('operators').selectAll().where('email', '=', normaliseEmail(input.email)).executeTakeFirst();
  const good = await verifyPassword(input.password, row?.password_hash ?? (await decoyHash()));
  if (!row || !good) throw new ApiError('invalid_credentials', 'The email or the password is wrong');
  if (row.totp_secret !== null) {
    if (input.code === undefined) throw new ApiError('totp_required', 'Enter the code of your authenticator app');
    await spendTotp(ctx, { id: row.id, email: row.email, totp_secret: row.totp_secret, totp_last_step: row.totp_last_step }, input.code);
  }
  return row.id;
}

export async function changePassword(ctx: Context, operatorId: string, current: string, next: string): Promise<void> {
  checkPassword(next, 'newPassword');
  const row = await ctx.store.db.selectFrom('operators').select('password_hash').where('id', '=', operatorId).executeTakeFirstOrThrow();
  if (!(await verifyPassword(current, row.password_hash))) throw fieldError('invalid_credentials', 'currentPassword', 'The current password is wrong');
  await ctx.store.db.updateTable('operators').set({ password_hash: await hashPassword(next) }).where('id', '=', operatorId).execute();
}

export async function verifyOperatorPassword(ctx: Context, operatorId: string, password: string, member = 'password'): Promise<void> {
  const row = await ctx.store.db.selectFrom('operators').select('password_hash').where('id', '=', operatorId).executeTakeFirstOrThrow();
  if (!(await verifyPassword(password, row.password_hash))) throw fieldError('invalid_credentials', member, 'The password is wrong');
}

export async function listOperators(ctx: Context): Promise<OperatorView[]> {
  const rows = await ctx.store.db.selectFrom('operators').select(['id', 'email', 'admin', 'totp_secret', 'created_at']).orderBy('email').execute();
  return rows.map((r) => ({ id: r.id, email: r.email, admin: r.admin === 1, totp: r.totp_secret !== null, createdAt: new Date(r.created_at).toISOString() }));
}

export async function deleteOperator(ctx: Context, id: string): Promise<void> {
  // Sessions and memberships go with it (on delete cascade in migration 018).
  await ctx.store.db.transaction().execute(async (tx) => {
    await tx.deleteFrom('operator_sessions').where('operator_id', '=', id).execute();
    await tx.deleteFrom('operator_memberships').where('operator_id', '=', id).execute();
    const gone = await tx.deleteFrom('operators').where('id', '=', id).executeTakeFirst();
    if (gone.numDeletedRows === 0n) throw new ApiError('operator_not_found');
  });
}

export interface MemberView {
  operatorId: string;
  email: string;
  role: OperatorRole;
}

export async function listMembers(ctx: Context, appId: string): Promise<MemberView[]> {
  const rows = await ctx.store.db
    .selectFrom('operator_memberships as m')
    .innerJoin('operators as o', 'o.id', 'm.operator_id')
    .select(['m.operator_id', 'o.email', 'm.role'])
    .where('m.app_id', '=', appId)
    .orderBy('o.email')
    .execute();
  return rows.map((r) => ({ operatorId: r.operator_id, email: r.email, role: r.role }));
}

/** Gives the operator of `email` the role on the app, or changes the role it has. */
export async function setMember(ctx: Context, appId: string, email: string, role: OperatorRole): Promise<MemberView> {
  const op = await ctx.store.db.selectFrom('operators').select(['id', 'email']).where('email', '=', normaliseEmail(email)).executeTakeFirst();
  if (!op) throw fieldError('operator_not_found', 'email', 'No operator has this email; an administrator creates the account first');
  await ctx.store.db.transaction().execute(async (tx) => {
    await tx.deleteFrom('operator_memberships').where('operator_id', '=', op.id).where('app_id', '=', appId).execute();
    await tx.insertInto('operator_memberships').values({ operator_id: op.id, app_id: appId, role, created_at: ctx.now() }).execute();
  });
  return { operatorId: op.id, email: op.email, role };
}

export async function removeMember(ctx: Context, appId: string, operatorId: string): Promise<void> {
  const gone = await ctx.store.db.deleteFrom('operator_memberships').where('operator_id', '=', operatorId).where('app_id', '=', appId).executeTakeFirst();
  if (gone.numDeletedRows === 0n) throw new ApiError('operator_not_found', 'This operator has no role on this app');
}

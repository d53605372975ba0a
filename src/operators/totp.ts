import * as OTPAuth from 'otpauth';
import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import { fieldError } from './field-error.ts';

/** RFC 6238 with the parameters every authenticator app reads from an otpauth URI: SHA-1, 6 digits, 30 s. */
const PERIOD = 30;

function totpContext(operatorId: string): string {
  return `operator:${operatorId}:totp`;
}

function totpOf(secret: string, email: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({ issuer: 'Carillon', label: email, algorithm: 'SHA1', digits: 6, period: PERIOD, secret: OTPAuth.Secret.fromBase32(secret) });
}

/**
 * The time step a code is good for, one step either side of now (RFC 6238 §5.2 allows for
 * clock drift), or undefined.
 */
function stepOf(secret: string, email: string, code: string, now: number): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const delta = totpOf(secret, email).validate({ token: code, timestamp: now, window: 1 });
  return delta === null ? undefined : Math.floor(now / 1000 / PERIOD) + delta;
}

/** Starts enrolment: a new secret, kept sealed as pending until a code confirms it. */
export async function beginTotp(ctx: Context, operator: { id: string; email: string }): Promise<{ secret: string; uri: string }> {
  // A session alone (a stolen cookie) must not swap the operator's authenticator for
  // another: the factor in place is removed first, which takes the password.
  const current = await ctx.store.db.selectFrom('operators').select('totp_secret').where('id', '=', operator.id).executeTakeFirstOrThrow();
  if (current.totp_secret !== null) throw new ApiError('totp_enabled', 'A second factor is set: remove it (POST /v1/session/totp/remove, with the password) before enrolling another');
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  await ctx.store.db.updateTable('operators').set({ totp_pending: ctx.secrets.seal(secret, totpContext(operator.id)) }).where('id', '=', operator.id).execute();
  return { secret, uri: totpOf(secret, operator.email).toString() };
}

/** A code made with the pending secret makes it the operator's second factor. */
export async function confirmTotp(ctx: Context, operator: { id: string; email: string }, code: string): Promise<void> {
  const row = await ctx.store.db.selectFrom('operators').select('totp_pending').where('id', '=', operator.id).executeTakeFirstOrThrow();
  if (row.totp_pending === null) throw new ApiError('totp_not_pending', 'Start the enrolment first (POST /v1/session/totp)');
  const secret = ctx.secrets.open(row.totp_pending, totpContext(operator.id));
  const step = stepOf(secret, operator.email, code, ctx.now());
  if (step === undefined) throw fieldError('invalid_totp', 'code', 'The code is not the current one of the authenticator app');
  await ctx.store.db.updateTable('operators').set({ totp_secret: row.totp_pending, totp_pending: null, totp_last_step: step }).where('id', '=', operator.id).execute();
}

/** Removes the second factor; the caller has checked a current code. */
export async function removeTotp(ctx: Context, operatorId: string): Promise<void> {
  await ctx.store.db.updateTable('operators').set({ totp_secret: null, totp_pending: null, totp_last_step: null }).where('id', '=', operatorId).execute();
}

/**
 * Checks a sign-in code against the operator's secret and spends it: a code seen once is
 * refused after (RFC 6238 §5.2: "the verifier MUST NOT accept the second attempt").
 */
export async function spendTotp(ctx: Context, operator: { id: string; email: string; totp_secret: string; totp_last_step: number | null }, code: string): Promise<void> {
  const secret = ctx.secrets.open(operator.totp_secret, totpContext(operator.id));
  const step = stepOf(secret, operator.email, code, ctx.now());
  if (step === undefined || (operator.totp_last_step !== null && step <= operator.totp_last_step)) {
    throw fieldError('invalid_totp', 'code', 'The code is not the current one of the authenticator app, or it was used already');
  }
  const spent = await ctx.store.db
    .updateTable('operators')
    .set({ totp_last_step: step })
    .where('id', '=', operator.id)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  // Two sign-ins with one code at once: one of them finds the step spent.
  if (spent.numUpdatedRows === 0n) throw fieldError('invalid_totp', 'code', 'The code was used already');
}

import type { KeyObject } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { compactVerify, decodeProtectedHeader } from 'jose';
import { devicePublicKey, type PublicJwk } from './device-key.ts';
import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import { limitDeviceRequest } from './device-limit.ts';
import type { MfaDevicesTable } from '../store/schema-mfa.ts';
import type { Database } from '../store/schema.ts';
import { prepared } from '../store/prepared.ts';

/** The longest a signed request may live: a short exp keeps a captured request useless. */
export const MAX_SIGNED_LIFETIME_S = 300;

const NONCE = /^[A-Za-z0-9_-]{16,128}$/;

export interface SignedRequest {
  device: MfaDevicesTable;
  payload: Record<string, unknown>;
}

type Db = Kysely<Database> | Transaction<Database>;

/** A verified request whose nonce is not spent yet: the caller spends it, in the transaction of what the request writes. */
export interface UnspentRequest extends SignedRequest {
  /** Spends the nonce in `db`; `signed_request_replayed` if it was spent before (and then nothing of `db`'s transaction should stand). */
  spend(db: Db): Promise<void>;
}

const forged = (why: string) => new ApiError('device_signature_invalid', why);

/**
 * Verifies a device's request: a compact JWS (RFC 7515) with `alg` ES256 (RFC 7518 §3.4)
 * and `kid` naming an enrolled device of the app, signed by that device's key, whose
 * payload names `challengeId`, carries a nonce used once and an `exp` at most five
 * minutes ahead. The nonce is spent, and the device's rate counted, only once the
 * signature verifies, so a forged request cannot burn a device's nonces or allowance.
 */
export async function verifySignedRequest(ctx: Context, appId: string, jws: string, challengeId: string): Promise<SignedRequest> {
  const signed = await verifyUnspent(ctx, appId, jws, challengeId);
  await signed.spend(ctx.store.db);
  return { device: signed.device, payload: signed.payload };
}

/**
 * The same checks, the nonce left for the caller to spend with its own writes (one commit
 * instead of two): every path of the caller spends it, the refusals too, so a request is
 * taken at most once whatever it meets.
 */
export async function verifyUnspent(ctx: Context, appId: string, jws: string, challengeId: string): Promise<UnspentRequest> {
  let kid: unknown;
  try {
    const header = decodeProtectedHeader(jws);
    if (header.alg !== 'ES256') throw forged('alg must be ES256');
    kid = header.kid;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw forged('Not a compact JWS');
  }
  if (typeof kid !== 'string' || kid.length > 64) throw forged('The JWS header needs the device id as kid');
  const device = await enrolledDevice.first(ctx.store.db, { id: kid, appId });
  if (!device) throw forged('kid names no enrolled device of this app');
  let payload: Record<string, unknown>;
  try {
    const key = deviceKey(device);
    const { payload: bytes } = await compactVerify(jws, key, { algorithms: ['ES256'] });
    payload = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw new Error('payload');
  } catch {
    throw forged('The signature does not verify with the device key, or the payload is not a JSON object');
  }
  if (payload.challengeId !== challengeId) throw forged('The signed challengeId is not the challenge of the path');
  const nowS = ctx.now() / 1000;
  const exp = payload.exp;
  if (typeof exp !== 'number' || !Number.isFinite(exp) || exp <= nowS || exp > nowS + MAX_SIGNED_LIFETIME_S) {
    throw new ApiError('signed_request_expired', `exp must be a time (unix seconds) in the next ${MAX_SIGNED_LIFETIME_S} s`);
  }
  const nonce = payload.nonce;
  if (typeof nonce !== 'string' || !NONCE.test(nonce)) throw forged('nonce must be 16 to 128 base64url characters');
  await limitDeviceRequest(ctx, appId, { deviceId: device.id }, ctx.logger);
  const expiresAt = Math.ceil(exp * 1000);
  return { device, payload, spend: (db) => spendNonce(db, device.id, nonce, expiresAt) };
}

/** Device keys as KeyObjects, by device id and key: parsing one costs more than verifying with it. Bounded; the oldest go first. */
const KEYS = new Map<string, { jwk: string; key: KeyObject }>();
const MAX_KEYS = 10_000;

function deviceKey(device: MfaDevicesTable): KeyObject {
  const hit = KEYS.get(device.id);
  // Keyed by the stored key too: a device row is never given another key, but the cache need not trust that.
  if (hit && hit.jwk === device.public_key) return hit.key;
  const key = devicePublicKey(JSON.parse(device.public_key) as PublicJwk);
  if (KEYS.size >= MAX_KEYS) KEYS.delete(KEYS.keys().next().value!);
  KEYS.set(device.id, { jwk: device.public_key, key });
  return key;
}

/**
 * Deletes the spent nonces whose requests are past their exp: those can no longer be
 * replayed (the exp check refuses them first). Run by the minute's sweep (sweep.ts)
 * rather than by every signed request, which then writes one row, not two. A nonce is
 * kept MAX_SIGNED_LIFETIME_S longer than its exp: the sweep may run on a process whose
 * clock is ahead of the API process that checks exp, and a nonce deleted before that
 * process sees its request expire could be spent again.
 */
export async function deleteLapsedNonces(ctx: Context, now: number): Promise<number> {
  const res = await ctx.store.db.deleteFrom('mfa_nonces').where('expires_at', '<', now - MAX_SIGNED_LIFETIME_S * 1000).executeTakeFirst();
  return Number(res.numDeletedRows);
}

const enrolledDevice = prepared((db, $: { id: string; appId: string }) => db.selectFrom('mfa_devices').selectAll().where('id', '=', $.id).where('app_id', '=', $.appId).where('revoked_at', 'is', null));

const nonceSpent = prepared((db, $: { deviceId: string; nonce: string; expiresAt: number }) =>
  db.insertInto('mfa_nonces').values({ device_id: $.deviceId, nonce: $.nonce, expires_at: $.expiresAt }).onConflict((oc) => oc.columns(['device_id', 'nonce']).doNothing()).returning('nonce'),
);

async function spendNonce(db: Db, deviceId: string, nonce: string, expiresAt: number): Promise<void> {
  const res = await nonceSpent.first(db, { deviceId, nonce, expiresAt });
  if (!res) throw new ApiError('signed_request_replayed', 'This signed request (its nonce) was used before');
}

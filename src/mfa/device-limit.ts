import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import { clientKey } from '../rate-limit/client-key.ts';

/** s; the window of mfaDeviceRequestsPerAddress and mfaDeviceRequestsPerDevice. */
const WINDOW_S = 60;

/**
 * The device routes take no API key, so they are rated per client address and app
 * (before anything is read) and per device (once its signature verifies, so a forger
 * naming a victim's kid cannot spend that device's allowance), across every API process
 * (the shared limiter). Each is a bucket of N requests refilling over a minute. If the
 * limiter itself cannot be reached the request passes, as on the other browser routes:
 * guessing is bounded without it (enrollment tokens carry 256 bits; a code needs a device
 * signature and each wrong one counts towards the user's lock, SP 800-63B-4 §3.2.2).
 */
export async function limitDeviceRequest(ctx: Context, appId: string, by: { address: string } | { deviceId: string }, log: { warn(obj: object, msg: string): void }): Promise<void> {
  const [key, max] = 'address' in by
    ? [`mfa:address:${appId}:${clientKey(by.address)}`, ctx.config.mfaDeviceRequestsPerAddress]
    : [`mfa:device:${appId}:${by.deviceId}`, ctx.config.mfaDeviceRequestsPerDevice];
  await take(ctx, key, max, `Too many push sign-in requests from this ${'address' in by ? 'address' : 'device'}`, log);
}

/**
 * The reference authenticator's push-key route takes no key either: rated per client
 * address alone (the app is the caller's to choose, so a guesser varying it gains nothing).
 */
export async function limitPushKeyRequest(ctx: Context, address: string, log: { warn(obj: object, msg: string): void }): Promise<void> {
  await take(ctx, `mfa:push-key:${clientKey(address)}`, ctx.config.authenticatorPushKeyPerAddress, 'Too many push key requests from this address', log);
}

async function take(ctx: Context, key: string, max: number, what: string, log: { warn(obj: object, msg: string): void }): Promise<void> {
  if (max <= 0) return;
  let wait: number;
  try {
    wait = await ctx.limiter.take(key, 1, max / WINDOW_S, max);
  } catch (err) {
    log.warn({ err }, 'push sign-in device rate limit unavailable; request let through');
    return;
  }
  if (wait === 0) return;
  const retryAfter = Math.ceil(wait / 1000);
  throw new ApiError('rate_limited', `${what}; try again in ${retryAfter} s`, { retryAfter });
}

import { InvalidDeviceTokenError } from './errors.ts';

/**
 * Device tokens are opaque bytes that apps send as hex. Today they are 32 bytes (64 hex
 * digits); Apple warns that their length may change ("don't hard-code the size of device
 * tokens", UIApplicationDelegate docs), so longer even-length hex is accepted too, up to
 * 100 bytes.
 */
const MIN_HEX = 64;
const MAX_HEX = 200;

/** The token as APNs wants it in the `:path` (`/3/device/<token>`): lower-case hex. */
export function normalizeDeviceToken(token: string): string {
  if (!/^[0-9a-fA-F]+$/.test(token)) throw new InvalidDeviceTokenError('format', 'an APNs device token is hexadecimal');
  if (token.length < MIN_HEX || token.length > MAX_HEX || token.length % 2 !== 0) {
    throw new InvalidDeviceTokenError('length', `an APNs device token is ${MIN_HEX} to ${MAX_HEX} hex digits (whole bytes)`);
  }
  return token.toLowerCase();
}

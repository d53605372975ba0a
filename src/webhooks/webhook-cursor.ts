import { ApiError } from '../errors/api-error.ts';

/** Where a page of endpoints or messages ends: by (time, id). Opaque to clients, versioned, base64url. */
export function encodeWebhookCursor(kind: 'wh' | 'msg', at: number, id: string): string {
  return Buffer.from(`${kind}1:${at}:${id}`).toString('base64url');
}

export function decodeWebhookCursor(cursor: string, kind: 'wh' | 'msg'): { at: number; id: string } {
  const m = new RegExp(`^${kind}1:(\\d{1,15}):(${kind}_[A-Za-z0-9_-]{1,64})$`).exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new ApiError('invalid_cursor', 'The cursor was not issued by this server');
  return { at: Number(m[1]), id: m[2]! };
}

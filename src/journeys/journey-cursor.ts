import { ApiError } from '../errors/api-error.ts';

/** Where a page of journeys ends: listed newest first by (created_at, id). Opaque to clients, versioned, base64url. */
export interface JourneyPosition {
  createdAt: number;
  id: string;
}

export function encodeJourneyCursor(p: JourneyPosition): string {
  return Buffer.from(`j1:${p.createdAt}:${p.id}`).toString('base64url');
}

export function decodeJourneyCursor(cursor: string): JourneyPosition {
  const m = /^j1:(\d{1,15}):(jrn_[A-Za-z0-9_-]{1,64})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new ApiError('invalid_cursor', 'The cursor was not issued by this server');
  return { createdAt: Number(m[1]), id: m[2]! };
}

import { ApiError } from '../../errors/api-error.ts';

/** Where a page of segments ends: segments are listed by (created_at, id). Opaque to clients, versioned, base64url. */
export interface SegmentPosition {
  createdAt: number;
  id: string;
}

export function encodeSegmentCursor(p: SegmentPosition): string {
  return Buffer.from(`s1:${p.createdAt}:${p.id}`).toString('base64url');
}

export function decodeSegmentCursor(cursor: string): SegmentPosition {
  const m = /^s1:(\d{1,15}):(seg_[A-Za-z0-9_-]{1,64})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new ApiError('invalid_cursor', 'The cursor was not issued by this server');
  return { createdAt: Number(m[1]), id: m[2]! };
}

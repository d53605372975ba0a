import { ApiError } from '../errors/api-error.ts';

/** Where a page of campaigns ends: listed newest first by (created_at, id). Opaque to clients, versioned, base64url. */
export interface CampaignPosition {
  createdAt: number;
  id: string;
}

export function encodeCampaignCursor(p: CampaignPosition): string {
  return Buffer.from(`c1:${p.createdAt}:${p.id}`).toString('base64url');
}

export function decodeCampaignCursor(cursor: string): CampaignPosition {
  const m = /^c1:(\d{1,15}):(cmp_[A-Za-z0-9_-]{1,64})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new ApiError('invalid_cursor', 'The cursor was not issued by this server');
  return { createdAt: Number(m[1]), id: m[2]! };
}

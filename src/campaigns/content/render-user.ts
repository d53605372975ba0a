import type { RenderUser } from './render-context.ts';

/** The columns of a `users` row a template can read (src/store/schema.ts UsersTable). */
export interface UserRow {
  external_id: string;
  language: string | null;
  timezone: string | null;
  country: string | null;
  /** The attributes as stored: a JSON object. */
  attributes: string | null;
}

/**
 * A stored user as templates see it. The attributes column holds the JSON the API wrote;
 * anything that is not a JSON object (a damaged row) gives no attributes rather than
 * failing the page, and JSON.parse's `__proto__` keys stay plain data (liquidScope copies
 * them into objects without a prototype).
 */
export function renderUser(row: UserRow): RenderUser {
  let attributes: Record<string, unknown> = {};
  if (row.attributes) {
    try {
      const parsed: unknown = JSON.parse(row.attributes);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) attributes = parsed as Record<string, unknown>;
    } catch {
      /* not JSON: no attributes */
    }
  }
  return { id: row.external_id, language: row.language, timezone: row.timezone, country: row.country, attributes };
}

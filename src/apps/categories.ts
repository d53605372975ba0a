import type { Kysely } from 'kysely';
import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import type { Database } from '../store/schema.ts';

/**
 * Categories of notification: a notification may name one (`preferenceCategory`), and a
 * user may turn categories off (src/audience/preferences/). Every app has the built-in
 * ones; it declares its own beside them (`PATCH /v1/apps/{appId}` `{categories: [...]}`).
 * docs/preferences.md says what each is for and which a user may turn off.
 */
export const BUILT_IN_CATEGORIES = ['orders', 'promotions', 'security', 'civic'] as const;

/**
 * Categories a user cannot turn off. `security` carries sign-in approvals and one-time
 * codes: a user who turned it off could no longer sign in, and whoever tricked them into
 * it would have stopped the alerts of a takeover.
 */
export const ALWAYS_ON_CATEGORIES: ReadonlySet<string> = new Set(['security']);

/** Lower case, a letter first, up to 32 characters: safe as a JSON key, a column value and a form field name. */
export const CATEGORY_PATTERN = '^[a-z][a-z0-9_-]{0,31}$';
/** An app's own categories, at most: a preference form is read by people. */
export const MAX_APP_CATEGORIES = 50;

const BUILT_IN: ReadonlySet<string> = new Set(BUILT_IN_CATEGORIES);

/** The app's own categories as stored (apps.categories, a JSON array or null). */
export function parseAppCategories(stored: string | null): string[] {
  if (stored === null) return [];
  const parsed: unknown = JSON.parse(stored);
  return Array.isArray(parsed) ? parsed.filter((c): c is string => typeof c === 'string') : [];
}

/** Every category of the app: the built-in ones, then its own in the order declared. */
export async function appCategories(db: Kysely<Database>, appId: string): Promise<string[]> {
  const row = await db.selectFrom('apps').select('categories').where('id', '=', appId).executeTakeFirst();
  if (!row) throw new ApiError('app_not_found', `No app with id ${appId}`);
  return [...BUILT_IN_CATEGORIES, ...parseAppCategories(row.categories)];
}

/** An RFC 6901 pointer as a URI fragment, as the schema errors carry it (`#/categories/0`). */
export function pointerTo(...tokens: (string | number)[]): string {
  return `#${tokens.map((t) => `/${encodeURIComponent(String(t).replace(/~/g, '~0').replace(/\//g, '~1'))}`).join('')}`;
}

/** Refuses a category the app does not have, pointing at the member that named it. */
export function checkCategory(categories: readonly string[], name: string, tokens: (string | number)[]): void {
  if (categories.includes(name)) return;
  const shown = name.length > 64 ? `${name.slice(0, 64)}…` : name;
  const detail = `"${shown}" is not a category of this app (${categories.join(', ')})`;
  throw new ApiError('unknown_category', `${tokens.join('.')}: ${detail}`, {
    errors: [{ pointer: pointerTo(...tokens), field: ['body', ...tokens].join('.'), detail, message: detail }],
  });
}

/**
 * Replaces the app's own categories. Removing one deletes nothing: notifications already
 * accepted keep it and still honour the users who turned it off, and those users' choices
 * are kept, so declaring it again does not turn it back on for them. New notifications
 * and preferences can no longer name it.
 */
export async function setAppCategories(ctx: Context, appId: string, categories: string[]): Promise<void> {
  checkAppCategories(categories);
  const res = await ctx.store.db
    .updateTable('apps')
    .set({ categories: categories.length ? JSON.stringify(categories) : null })
    .where('id', '=', appId)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw new ApiError('app_not_found', `No app with id ${appId}`);
}

/** Refuses a declaration that names a built-in category (the schema checks the names' form). */
export function checkAppCategories(categories: string[]): void {
  categories.forEach((name, i) => {
    if (BUILT_IN.has(name)) {
      const detail = `"${name}" is built in; every app has ${BUILT_IN_CATEGORIES.join(', ')} already`;
      throw new ApiError('category_reserved', `categories.${i}: ${detail}`, {
        errors: [{ pointer: pointerTo('categories', i), field: `body.categories.${i}`, detail, message: detail }],
      });
    }
  });
}

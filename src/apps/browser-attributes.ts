import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import { ATTRIBUTE_KEY_PATTERN, RESERVED_KEYS } from '../audience/users/validate-user.ts';


/** The attribute keys a browser (the publishable key) may set for its own verified user. */
export async function browserAttributes(ctx: Context, appId: string): Promise<string[]> {
  const row = await ctx.store.db.selectFrom('apps').select('browser_attributes').where('id', '=', appId).executeTakeFirst();
  if (!row) throw new ApiError('app_not_found', `No app with id ${appId}`);
  return row.browser_attributes === null ? [] : JSON.parse(row.browser_attributes);
}

/** Refuses a key that breaks the attribute key rules; run before any setting of a PATCH changes. */
export function checkBrowserAttributes(keys: string[]): void {
  keys.forEach((key, i) => {
    if (!ATTRIBUTE_KEY_PATTERN.test(key) || RESERVED_KEYS.has(key)) {
      const detail = RESERVED_KEYS.has(key) ? `"${key}" is a user field, not a custom attribute` : 'is not an attribute key (a letter, then up to 63 letters, digits, "_", "." or "-")';
      throw new ApiError('invalid_attribute', `browserAttributes[${i}]: ${detail}`, { errors: [{ pointer: `#/browserAttributes/${i}`, field: `body.browserAttributes.${i}`, detail, message: detail }] });
    }
  });
}

/** Replaces the list (`[]` empties it); each key follows the attribute key rules. */
export async function setBrowserAttributes(ctx: Context, appId: string, keys: string[]): Promise<void> {
  checkBrowserAttributes(keys);
  const unique = [...new Set(keys)];
  const res = await ctx.store.db.updateTable('apps').set({ browser_attributes: unique.length ? JSON.stringify(unique) : null }).where('id', '=', appId).executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw new ApiError('app_not_found', `No app with id ${appId}`);
}

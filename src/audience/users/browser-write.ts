import { ApiError } from '../../errors/api-error.ts';
import type { UserInput } from './user-input.ts';

const token = (key: string) => encodeURIComponent(key.replace(/~/g, '~0').replace(/\//g, '~1'));

function notWritable(pointer: string, detail: string): never {
  throw new ApiError('attribute_not_writable', `${pointer.slice(2).replace(/\//g, '.')}: ${detail}`, { errors: [{ pointer, field: `body.${pointer.slice(2).replace(/\//g, '.')}`, detail, message: detail }] });
}

/**
 * What the publishable key may write: it is public, so a page may set only what its
 * browser knows first-hand (language, time zone) and the attribute keys the app chose to
 * trust browsers with (`browserAttributes`). Country, location and every other attribute
 * are the site's server's to say: a browser that could set `plan: "gold"` would target
 * itself with what paying users get. The first field it may not set is refused.
 */
export function checkBrowserWrite(input: UserInput, browserAttributes: readonly string[]): void {
  for (const field of ['country', 'location'] as const) {
    if (input[field] !== undefined) notWritable(`#/${field}`, 'only the secret key may set it');
  }
  const allowed = new Set(browserAttributes);
  for (const key of Object.keys(input.attributes ?? {})) {
    if (!allowed.has(key)) notWritable(`#/attributes/${token(key)}`, 'is not one of the app’s browserAttributes; only the secret key may set it');
  }
}

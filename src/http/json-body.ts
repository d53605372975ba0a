import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error.ts';
import { pointerFragment } from './validation-problem.ts';

/**
 * How deep objects and arrays may nest in a request body. The API's own shapes go five
 * levels deep; `data`, `apns.aps` and `fcm.android` carry the sender's JSON, for which 32
 * leaves room. Without a limit a 10 KB body of 5,000 nested arrays parses, then overflows
 * the stack of whatever walks it (the idempotency hash did): a 500 instead of a 400.
 */
export const MAX_JSON_DEPTH = 32;

// TextDecoder with fatal: a byte sequence that is not UTF-8 is refused, not replaced with
// U+FFFD (which would store a different text from the one sent).
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The deepest nesting of the JSON text, read without parsing it (strings skipped). */
function exceedsDepth(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x7b || ch === 0x5b) {
      if (++depth > max) return true;
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
  return false;
}

const isWellFormed = (s: string) => (s as string & { isWellFormed(): boolean }).isWellFormed();

/**
 * The pointer to the first string (member name or value) that is not well-formed UTF-16:
 * a lone surrogate (`"\ud800"`) cannot be stored as UTF-8 or sent to a device unchanged.
 */
function firstIllFormed(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return isWellFormed(value) ? undefined : path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = firstIllFormed(value[i], `${path}/${i}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, member] of Object.entries(value)) {
      const at = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (!isWellFormed(key)) return at;
      const found = firstIllFormed(member, at);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * Replaces Fastify's JSON body parser with one that also refuses, before anything reads
 * the value: bytes that are not UTF-8, nesting deeper than MAX_JSON_DEPTH, and strings
 * that are not well-formed Unicode. Fastify's own parser still does the parsing (with its
 * `__proto__` and `constructor` poisoning checks).
 */
export function installJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req: FastifyRequest, body: Buffer, done) => {
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      done(new ApiError('invalid_unicode', 'The body is not UTF-8 text (RFC 8259 §8.1)'), undefined);
      return;
    }
    if (exceedsDepth(text, MAX_JSON_DEPTH)) {
      done(new ApiError('json_too_deep', `Objects and arrays in the body may nest at most ${MAX_JSON_DEPTH} deep`, { maxDepth: MAX_JSON_DEPTH }), undefined);
      return;
    }
    parse(req, text, (err, value) => {
      if (err) return done(err, undefined);
      const at = firstIllFormed(value, '');
      if (at !== undefined) {
        const pointer = pointerFragment(at);
        done(
          new ApiError('invalid_unicode', `${at === '' ? 'The body' : at.slice(1)} holds a lone surrogate: text must be well-formed Unicode (RFC 8259 §8.2)`, {
            errors: [{ pointer, detail: 'is not well-formed Unicode' }],
          }),
          undefined,
        );
        return;
      }
      done(null, value);
    });
  });
}

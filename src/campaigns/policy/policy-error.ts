import { ApiError } from '../../errors/api-error.ts';

export type PolicyErrorCode = 'invalid_cap_rules' | 'invalid_variants';

/**
 * Frequency cap rules or A/B variants refused, with the RFC 6901 pointer to the member at
 * fault as a URI fragment into the request body (RFC 9457 §3 shows pointers so), e.g.
 * `#/capping/1/window`, and `limit` naming the limit when one was passed. Answered as
 * problem+json; the lead's routes throw it as is.
 */
export class PolicyError extends ApiError {
  readonly pointer: string;

  constructor(code: PolicyErrorCode, pointer: string, detail: string, extra: Record<string, unknown> = {}) {
    super(code, `${pointer}: ${detail}`, { pointer, ...extra });
    this.name = 'PolicyError';
    this.pointer = pointer;
  }
}

/**
 * `base` (an RFC 6901 pointer such as `/capping`, or '' for the body itself) and the tokens
 * below it, as a URI fragment: `~` and `/` escaped (RFC 6901 §3), then percent-encoded
 * (RFC 6901 §6) so a category or id with odd characters still makes a valid fragment.
 */
export function pointerAt(base: string, ...tokens: (string | number)[]): string {
  const baseTokens = base === '' ? [] : base.split('/').slice(1);
  const all = [...baseTokens, ...tokens.map((t) => String(t).replace(/~/g, '~0').replace(/\//g, '~1'))];
  return `#${all.map((t) => `/${encodeURIComponent(t)}`).join('')}`;
}

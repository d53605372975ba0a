import { createHash } from 'node:crypto';

/**
 * JSON with object members in code-unit order of their names (as RFC 8785 orders them),
 * so that one value has one text whatever order a client wrote its members in. Arrays
 * keep their order: it is meaningful. Bodies reach here depth-limited by the parser.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value && typeof value === 'object') {
    const members = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What identifies a request under an Idempotency-Key: the same body reordered is the same request. */
export function requestHash(input: unknown): string {
  return createHash('sha256').update(canonicalJson(input)).digest('base64url');
}

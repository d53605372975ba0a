import { ApiError } from '../errors/api-error.ts';
import { LINK_PATTERN, LINK_RULE } from '../message/fields.ts';

/** What Ajv reports for one failed keyword (the subset used here). */
export interface SchemaViolation {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params?: Record<string, unknown>;
  message?: string;
}

/** One entry of a problem's `errors` member (RFC 9457 §3: `detail` and `pointer`). */
export interface FieldError {
  /** RFC 6901 JSON pointer into the body, as a URI fragment (RFC 9457 §3's `"#/age"`). */
  pointer?: string;
  /** The query or path parameter at fault, for errors outside the body. */
  parameter?: string;
  /** The same place as `body.a.b` or `querystring.limit`, kept for existing clients. */
  field: string;
  detail: string;
  message: string;
  params?: Record<string, unknown>;
}

const depth = (path: string) => (path === '' ? 0 : path.split('/').length - 1);
// RFC 6901 §4 escaping of one reference token; Ajv's instancePath is already escaped.
const escapeToken = (token: string) => token.replace(/~/g, '~0').replace(/\//g, '~1');
const unescapeToken = (token: string) => token.replace(/~1/g, '/').replace(/~0/g, '~');

/**
 * A JSON pointer as a URI fragment (RFC 6901 §6): each token percent-encoded as UTF-8. A
 * lone surrogate has no UTF-8 form; it is shown as U+FFFD (the body is refused for it).
 */
export function pointerFragment(pointer: string): string {
  const wellFormed = (t: string) => (t as string & { toWellFormed(): string }).toWellFormed();
  return `#${pointer.split('/').map((t, i) => (i === 0 ? t : encodeURIComponent(wellFormed(t)))).join('/')}`;
}

/**
 * The violation to report. With a union (`anyOf`), Ajv lists the failure of every branch
 * and then the union's own: the branch that got deepest into the value is the one the
 * client meant (`{"to": {"all": "true"}}` is the `all` selector with a wrong type, not a
 * missing `subscriptionIds`); when no branch got past the union's own level, the union is.
 */
function chosen(violations: SchemaViolation[]): SchemaViolation[] {
  const unions = violations.filter((v) => v.keyword === 'anyOf' || v.keyword === 'oneOf');
  if (unions.length === 0) return violations;
  const others = violations.filter((v) => !unions.includes(v));
  const deepest = others.reduce<SchemaViolation | undefined>((best, v) => (!best || depth(v.instancePath) > depth(best.instancePath) ? v : best), undefined);
  const union = unions.reduce((best, v) => (depth(v.instancePath) > depth(best.instancePath) ? v : best));
  return [deepest && depth(deepest.instancePath) > depth(union.instancePath) ? deepest : union];
}

function describe(v: SchemaViolation): { path: string; detail: string } {
  const p = v.params ?? {};
  if (v.keyword === 'required' && typeof p.missingProperty === 'string') return { path: `${v.instancePath}/${escapeToken(p.missingProperty)}`, detail: 'is required' };
  if (v.keyword === 'additionalProperties' && typeof p.additionalProperty === 'string') {
    return { path: `${v.instancePath}/${escapeToken(p.additionalProperty)}`, detail: 'is not a member of this object' };
  }
  if (v.keyword === 'anyOf' || v.keyword === 'oneOf') return { path: v.instancePath, detail: 'matches none of the allowed forms' };
  if (v.keyword === 'pattern' && p.pattern === LINK_PATTERN) return { path: v.instancePath, detail: LINK_RULE };
  return { path: v.instancePath, detail: v.message ?? 'is invalid' };
}

/** A schema validation failure as `invalid_request`, every error carrying where it is. */
export function validationProblem(violations: SchemaViolation[], context: string | undefined): ApiError {
  const part = context ?? 'body';
  const errors: FieldError[] = chosen(violations).map((v) => {
    const { path, detail } = describe(v);
    const tokens = path.split('/').slice(1).map(unescapeToken);
    return {
      ...(part === 'body' ? { pointer: pointerFragment(path) } : { parameter: tokens[0] ?? '' }),
      field: [part, ...tokens].join('.'),
      detail,
      message: v.message ?? 'is invalid',
      ...(v.params && Object.keys(v.params).length ? { params: v.params } : {}),
    };
  });
  const first = errors[0];
  const where = !first || first.field === 'body' ? 'the body' : first.field.replace(/^body\./, '');
  return new ApiError('invalid_request', first ? `${where} ${first.detail}` : 'The request does not match the API schema', { errors });
}

/**
 * Errors built by code (a channel's own checks) name their field as `body.a.b`; they get
 * the pointer the schema's errors carry, so that every `invalid_request` points alike.
 */
export function withPointers(extra: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(extra.errors)) return extra;
  const errors = extra.errors.map((e: Record<string, unknown>) => {
    if (typeof e.pointer === 'string' || typeof e.field !== 'string' || !e.field.startsWith('body')) return e;
    const tokens = e.field.split('.').slice(1);
    return { pointer: pointerFragment(tokens.map((t) => `/${escapeToken(t)}`).join('')), ...e, detail: e.detail ?? e.message };
  });
  return { ...extra, errors };
}

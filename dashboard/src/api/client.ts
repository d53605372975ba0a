import { OPERATIONS, type OperationId } from './operations.ts';
import type { Answers } from './types.ts';

/** An RFC 9457 problem the API answered with; `fields` maps JSON pointers (`/email`) to their detail. */
export class ApiProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: Map<string, string>;
  readonly body: Record<string, unknown>;

  constructor(status: number, body: Record<string, unknown>) {
    super(typeof body.detail === 'string' ? body.detail : `HTTP ${status}`);
    this.status = status;
    this.code = typeof body.code === 'string' ? body.code : 'internal';
    this.body = body;
    this.fields = new Map();
    // Both places the API names a field: `errors[].pointer` (RFC 9457 §3) and a top-level `pointer`.
    const entries = Array.isArray(body.errors) ? (body.errors as { pointer?: unknown; detail?: unknown }[]) : [];
    for (const e of entries) if (typeof e.pointer === 'string') this.fields.set(e.pointer.replace(/^#/, ''), String(e.detail ?? this.message));
    if (typeof body.pointer === 'string') this.fields.set(body.pointer.replace(/^#/, ''), this.message);
  }
}

let csrfToken = '';
/** Kept from the session answer; sent on every call that changes something. */
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Called when the API says the session ended, so the app can show the sign-in page. */
let onSessionEnded: () => void = () => {};
export function whenSessionEnds(handler: () => void): void {
  onSessionEnded = handler;
}

type Params = Record<string, string>;

/**
 * Calls one operation of the public API with the session cookie (same origin) and, for a
 * method that changes something, the CSRF token. Resolves with the answer's JSON (nothing
 * for 204); rejects with an ApiProblem for a problem answer, or for a network failure.
 */
export async function call<K extends OperationId>(operation: K, opts: { params?: Params; body?: unknown; query?: Params; signal?: AbortSignal } = {}): Promise<Answers[K]> {
  const [method, template] = OPERATIONS[operation];
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = opts.params?.[name];
    if (value === undefined) throw new Error(`${operation}: the ${name} parameter is missing`);
    return encodeURIComponent(value);
  });
  const query = opts.query ? `?${new URLSearchParams(opts.query).toString()}` : '';
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(`${path}${query}`, { method, headers, credentials: 'same-origin', ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiProblem(0, { code: 'network', detail: 'The server cannot be reached' });
  }
  if (res.status === 204) return undefined as Answers[K];
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = { detail: text.slice(0, 200) };
  }
  if (!res.ok) {
    const problem = new ApiProblem(res.status, (body ?? {}) as Record<string, unknown>);
    if (problem.code === 'session_expired' && operation !== 'getSession') onSessionEnded();
    throw problem;
  }
  return body as Answers[K];
}

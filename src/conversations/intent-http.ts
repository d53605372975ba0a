import https from 'node:https';
import { checkEndpointUrl, createSafeLookup, EndpointRejectedError, type Resolver } from '../transport/index.ts';

/** Bytes of an intent URL's answer read at most: an answer is a notification body and three buttons, a slot list a few dozen lines. */
export const MAX_INTENT_RESPONSE_BYTES = 64 * 1024;

export interface IntentHttpOptions {
  /**
   * Read at each request: the operator's `allowPrivateEndpoints`, as outgoing webhooks
   * have it. Off, a loopback, private or link-local address is refused, as a literal in
   * the URL or as what the name resolves to when the socket connects (DNS rebinding).
   */
  allowPrivate: () => boolean;
  /** ms from the request to the end of the answer's body. */
  timeoutMs: () => number;
  /** Resolves hostnames; the system resolver otherwise. Every answer is checked. */
  lookup?: Resolver | undefined;
  /** CA certificates trusted instead of Node's roots (test receivers). */
  ca?: string | Buffer | undefined;
  /** The signal that ends a request after `timeoutMs`; AbortSignal.timeout unless a test holds the clock. */
  deadline?: ((timeoutMs: number) => AbortSignal) | undefined;
}

export interface IntentRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string | undefined;
}

export interface IntentResponse {
  status: number;
  /** The content-type's media type, lower-case, without parameters ('' when none). */
  mediaType: string;
  body: string;
}

/** Why no answer came: `refused` (the address policy), `timeout`, `too_large` (over MAX_INTENT_RESPONSE_BYTES) or `unreachable`. */
export type IntentCallFailure = 'refused' | 'timeout' | 'too_large' | 'unreachable';

export class IntentCallError extends Error {
  readonly failure: IntentCallFailure;
  constructor(failure: IntentCallFailure, message: string) {
    super(message);
    this.name = 'IntentCallError';
    this.failure = failure;
  }
}

/**
 * One request to an intent's URL. The URL is an app admin's (its knowledge base), so
 * attacker-chosen: the address policy of src/transport, no redirects followed (a 3xx is an
 * answer like any other), one connection per request (intents are rare; nothing to pool),
 * the whole exchange under one deadline and the body read up to MAX_INTENT_RESPONSE_BYTES.
 *
 *   const res = await intentRequest(opts, {method: 'GET', url, headers})
 */
export function intentRequest(opts: IntentHttpOptions, req: IntentRequest): Promise<IntentResponse> {
  const allowPrivate = opts.allowPrivate();
  let url: URL;
  try {
    url = checkEndpointUrl(req.url, { allowPrivate });
  } catch (err) {
    return Promise.reject(err instanceof EndpointRejectedError ? new IntentCallError('refused', `${err.reason}: ${err.message}`) : err);
  }
  if (url.protocol !== 'https:') return Promise.reject(new IntentCallError('refused', 'not_https: an intent URL is https:'));
  const signal = (opts.deadline ?? ((ms: number) => AbortSignal.timeout(ms)))(Math.max(1, opts.timeoutMs()));
  const lookup = createSafeLookup({ allowPrivate, ...(opts.lookup ? { resolve: opts.lookup } : {}) });
  const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
  const headers = { ...req.headers, connection: 'close', ...(body ? { 'content-length': String(body.length) } : {}) };

  return new Promise<IntentResponse>((resolve, reject) => {
    let settled = false;
    const fail = (err: IntentCallError): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      request.destroy();
      reject(err);
    };
    const onAbort = (): void => fail(new IntentCallError('timeout', `no answer within ${opts.timeoutMs()} ms`));
    const request = https.request(url, { method: req.method, headers, agent: false, lookup, ...(opts.ca !== undefined ? { ca: opts.ca } : {}) }, (res) => {
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > MAX_INTENT_RESPONSE_BYTES) return fail(new IntentCallError('too_large', `the answer is over ${MAX_INTENT_RESPONSE_BYTES} bytes`));
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_INTENT_RESPONSE_BYTES) return fail(new IntentCallError('too_large', `the answer is over ${MAX_INTENT_RESPONSE_BYTES} bytes`));
        chunks.push(chunk);
      });
      res.on('error', (err) => fail(new IntentCallError(signal.aborted ? 'timeout' : 'unreachable', err.message)));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        const mediaType = String(res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        resolve({ status: res.statusCode ?? 0, mediaType, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    request.on('error', (err: Error) => {
      // The safe lookup's refusal reaches here as the socket's error.
      if (err instanceof EndpointRejectedError) return fail(new IntentCallError('refused', `${err.reason}: ${err.message}`));
      fail(new IntentCallError(signal.aborted ? 'timeout' : 'unreachable', (err as NodeJS.ErrnoException).code ?? err.message));
    });
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    request.end(body);
  });
}

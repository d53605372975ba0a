/**
 * Fetches feed documents and the CAP documents their entries link to, under the rule push
 * endpoints and webhook URLs live by (src/transport/): https only, no credentials, no
 * non-public address, checked on the URL and again on every address connected to (so a
 * name that resolves to 127.0.0.1, or a redirect to one, is refused), unless the operator
 * allows private endpoints. A body is read up to 900 KB (CAP_MAX_BYTES, Google Public
 * Alerts' limit for a CAP message) and no further.
 *
 * Conditional requests (RFC 9110 §13.1): the validators of the last answer go back as
 * If-None-Match and If-Modified-Since; 304 means nothing changed and nothing is read.
 */
import type { Agent } from 'undici';
import { CAP_MAX_BYTES } from '../../protocol/cap/index.ts';
import { checkEndpointUrl, createSafeLookup, EndpointRejectedError, LazyAgent, parseRetryAfter, type Resolver } from '../../transport/index.ts';

/** Why a fetch failed, as a feed shows it (docs/civic-alerts.md#connecting-a-cap-feed). */
export type FeedErrorCode = 'url_rejected' | 'private_address' | 'http_status' | 'too_large' | 'timeout' | 'network' | 'redirects' | 'not_a_feed' | 'malformed' | 'refused';

export class FeedFetchError extends Error {
  override readonly name = 'FeedFetchError';
  readonly code: FeedErrorCode;
  /** ms the server asked to wait (Retry-After on 429 and 503), when it said. */
  readonly retryAfterMs: number | undefined;
  constructor(code: FeedErrorCode, message: string, retryAfterMs?: number) {
    super(message);
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }
}

export interface Validators {
  etag: string | null;
  lastModified: string | null;
}

export type FetchResult = { status: 'not_modified' } | ({ status: 'ok'; body: string; url: string } & Validators);

export interface FeedFetcherOptions {
  allowPrivate: boolean;
  timeoutMs: number;
  /** ms since epoch, for a Retry-After given as a date. */
  now: () => number;
  maxBytes?: number;
  /** Resolves hostnames instead of the system resolver (tests); every answer is checked unless allowPrivate. */
  resolve?: Resolver;
  /** CA certificates trusted instead of Node's roots (test servers). */
  ca?: string | Buffer;
}

const MAX_REDIRECTS = 5;
const ACCEPT = 'application/atom+xml, application/rss+xml, application/cap+xml, application/xml;q=0.9, text/xml;q=0.8';

/** Lets go of a body not read: dump() drains a little and closes, where destroy() would raise an error nobody hears. */
function discard(body: { dump(): Promise<void> }): void {
  body.dump().catch(() => undefined);
}

function rejected(err: unknown): EndpointRejectedError | undefined {
  for (let e = err as { cause?: unknown } | undefined, i = 0; e && i < 5; e = e.cause as { cause?: unknown } | undefined, i++) {
    if (e instanceof EndpointRejectedError) return e;
  }
  return undefined;
}

export class FeedFetcher {
  readonly #agent: LazyAgent;
  readonly #options: FeedFetcherOptions;

  constructor(options: FeedFetcherOptions) {
    this.#options = options;
    this.#agent = new LazyAgent({
      connect: { lookup: createSafeLookup({ allowPrivate: options.allowPrivate, ...(options.resolve ? { resolve: options.resolve } : {}) }), ...(options.ca !== undefined ? { ca: options.ca } : {}) },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connectTimeout: options.timeoutMs,
    });
  }

  /** Checks a URL as a feed URL; the message says why not. */
  check(raw: string): URL {
    try {
      return checkEndpointUrl(raw, { allowPrivate: this.#options.allowPrivate });
    } catch (err) {
      if (err instanceof EndpointRejectedError) throw new FeedFetchError(err.reason === 'private_address' ? 'private_address' : 'url_rejected', err.message.replace(/^endpoint/, 'url'));
      throw err;
    }
  }

  /**
   * GETs a document, following up to 5 redirects (each target checked like the first URL).
   * @throws FeedFetchError
   */
  async get(raw: string, validators: Validators = { etag: null, lastModified: null }): Promise<FetchResult> {
    const maxBytes = this.#options.maxBytes ?? CAP_MAX_BYTES;
    let url = this.check(raw);
    // One deadline for the document, redirects included: five slow hops are not five timeouts.
    const deadline = AbortSignal.timeout(this.#options.timeoutMs);
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { accept: ACCEPT, 'user-agent': 'Carillon (CAP feed reader)' };
      if (validators.etag) headers['if-none-match'] = validators.etag;
      if (validators.lastModified) headers['if-modified-since'] = validators.lastModified;
      let res: Awaited<ReturnType<Agent['request']>>;
      try {
        res = await (await this.#agent.get()).request({ origin: url.origin, path: url.pathname + url.search, method: 'GET', headers, signal: deadline });
      } catch (err) {
        const refused = rejected(err);
        // The code, not the address: a feed's error is read by every member, and the address
        // a private name resolves to is the network's own business.
        if (refused) throw new FeedFetchError('private_address', `${new URL(url).hostname} does not resolve to a public address`);
        const name = (err as Error).name;
        if (name === 'TimeoutError' || name === 'AbortError' || /Timeout/i.test((err as { code?: string }).code ?? '')) throw new FeedFetchError('timeout', `${url.origin} did not answer within ${this.#options.timeoutMs} ms`);
        throw new FeedFetchError('network', `${url.origin}: ${(err as Error).message}`.slice(0, 300));
      }
      const header = (name: string) => {
        const v = res.headers[name];
        return Array.isArray(v) ? v[0] : v;
      };
      if ([301, 302, 303, 307, 308].includes(res.statusCode)) {
        discard(res.body);
        const location = header('location');
        if (!location) throw new FeedFetchError('http_status', `${res.statusCode} without a Location`);
        if (hop >= MAX_REDIRECTS) throw new FeedFetchError('redirects', `more than ${MAX_REDIRECTS} redirects`);
        let next: string;
        try {
          next = new URL(location, url).href;
        } catch {
          throw new FeedFetchError('http_status', `${res.statusCode} with a Location that is no URL`);
        }
        url = this.check(next);
        continue;
      }
      if (res.statusCode === 304) {
        discard(res.body);
        return { status: 'not_modified' };
      }
      if (res.statusCode < 200 || res.statusCode > 299) {
        discard(res.body);
        const retry = res.statusCode === 429 || res.statusCode === 503 ? parseRetryAfter(header('retry-after'), this.#options.now(), 86_400_000) : undefined;
        throw new FeedFetchError('http_status', `${url.origin} answered ${res.statusCode}`, retry ?? undefined);
      }
      const declared = Number(header('content-length'));
      if (Number.isFinite(declared) && declared > maxBytes) {
        discard(res.body);
        throw new FeedFetchError('too_large', `the document is ${declared} bytes; at most ${maxBytes} are read`);
      }
      const kept: Buffer[] = [];
      let size = 0;
      try {
        // Leaving the loop early ends the iteration, which closes the body without an error event.
        for await (const chunk of res.body) {
          size += (chunk as Buffer).length;
          if (size > maxBytes) break;
          kept.push(chunk as Buffer);
        }
      } catch (err) {
        throw new FeedFetchError('network', `${url.origin}: ${(err as Error).message}`.slice(0, 300));
      }
      if (size > maxBytes) throw new FeedFetchError('too_large', `the document is over ${maxBytes} bytes; at most ${maxBytes} are read`);
      let body: string;
      try {
        body = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(kept));
      } catch {
        throw new FeedFetchError('malformed', 'the document is not UTF-8');
      }
      return { status: 'ok', body, url: url.href, etag: header('etag') ?? null, lastModified: header('last-modified') ?? null };
    }
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}

import { EndpointRejectedError } from './endpoint-rejected-error.ts';
import { checkEndpointUrl } from './endpoint-url.ts';
import { Http2Pool } from './http2-pool.ts';
import { LazyAgent } from './lazy-agent.ts';
import { NoHttp2Error } from './no-http2-error.ts';
import { OriginSemaphore } from './origin-semaphore.ts';
import { createSafeLookup, type Resolver } from './safe-lookup.ts';
import { TransportError } from './transport-error.ts';

/** Bytes of a response body kept: enough for a push service's error reason. */
const KEPT_BODY_BYTES = 2048;
/**
 * Bytes read and thrown away past the kept prefix, so that the connection can carry
 * the next request. A longer body is not a push service's answer: cutting it off
 * costs one connection, reading it would cost bandwidth chosen by the endpoint's owner.
 */
const DRAINED_BODY_BYTES = 64 * 1024;
/**
 * ms an idle connection stays open when the server gives no Keep-Alive hint. Fan-out
 * to a push service sends in bursts; reconnecting (TCP + TLS) per burst is the cost
 * that connection reuse exists to avoid.
 */
const KEEP_ALIVE_TIMEOUT_MS = 30_000;
/**
 * Origins whose protocol is remembered (h2, or HTTP/1.1 only). Endpoints are chosen by
 * anyone, so their origins are too: the oldest verdict goes first, and a forgotten
 * origin is asked again (one TLS handshake).
 */
const REMEMBERED_ORIGINS = 4096;

export interface PushTransportOptions {
  /** Allow http: and non-public addresses (Carillon's own push service on a private network, tests). */
  allowPrivate: boolean;
  /** Requests in flight per origin; more wait in a FIFO queue. */
  maxConcurrencyPerOrigin: number;
  /**
   * HTTP/1.1 connections per origin, at most (never more than maxConcurrencyPerOrigin).
   * An HTTP/2 origin multiplexes over fewer.
   */
  connectionsPerOrigin: number;
  /**
   * HTTP/2 sessions per origin, at most (1 unless set): an origin that speaks h2 gets its
   * requests as streams multiplexed on them, up to the peer's SETTINGS_MAX_CONCURRENT_STREAMS
   * per session; another session opens only when those are full. The urgent lane has as
   * many of its own.
   */
  http2SessionsPerOrigin?: number;
  /**
   * ms from dispatch to the end of the response body: connect, TLS, waiting for a free
   * connection or HTTP/2 stream, headers, body. Time in the per-origin queue is not counted.
   */
  requestTimeoutMs: number;
  /**
   * Urgent requests in flight per origin, in a lane of their own: their own slots and their
   * own kept-alive connections, so a broadcast queued to the same origin does not hold them
   * (a civic alert). 0 or absent: urgent requests share the ordinary lane.
   */
  urgentConcurrencyPerOrigin?: number;
  /** Resolves hostnames; defaults to the system resolver. Every answer is checked unless allowPrivate. */
  lookup?: Resolver;
  /** CA certificates (PEM) to trust instead of the default roots, for a push service behind a private CA. */
  ca?: string | Buffer | Array<string | Buffer>;
}

export interface PushRequest {
  url: string;
  headers: Record<string, string>;
  body: Uint8Array;
  /** Sent in the urgent lane (urgentConcurrencyPerOrigin), when there is one. */
  urgent?: boolean;
}

export interface PushResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  /** The first 2 KB of the response body, decoded as UTF-8, for error reasons. */
  body: string;
}

export interface TransportStats {
  /** Requests holding a slot (dispatched and not yet finished). */
  inFlight: number;
  /** Requests waiting for a slot of their origin. */
  queued: number;
  /** Requests dispatched since the transport was created. */
  requests: number;
}

/**
 * POSTs to push endpoints, which anyone can choose: every URL is checked, every
 * resolved address must be public (unless `allowPrivate`), redirects are not
 * followed (a 3xx comes back as a status), and each origin gets at most
 * `maxConcurrencyPerOrigin` requests in flight.
 *
 * An https origin is first asked for h2 in ALPN (offering http/1.1 too). One that takes
 * it gets its requests as streams of `http2SessionsPerOrigin` sessions (src/transport/
 * http2-pool.ts, as APNs and FCM do); one that picks HTTP/1.1 is remembered as such and
 * served by undici over at most `connectionsPerOrigin` kept-alive connections, as are
 * http: origins (allowPrivate only).
 *
 * @throws EndpointRejectedError when the URL or the address it resolves to is refused
 * @throws TransportError when no HTTP response arrives (`network`, `timeout`, ...)
 */
export class PushTransport {
  readonly #agent: LazyAgent;
  readonly #allowPrivate: boolean;
  readonly #timeoutMs: number;
  readonly #semaphore: OriginSemaphore;
  readonly #pool: Http2Pool;
  /** The urgent lane: its slots and its connections; undefined when it shares the ordinary one. */
  readonly #urgent: Lane | undefined;
  /** What each recently used https origin speaks, oldest first. */
  readonly #protocols = new Map<string, 'h1' | 'h2'>();
  #requests = 0;
  /** send() calls accepted and not yet settled, queued ones included. */
  #pending = 0;
  #onDrained: (() => void) | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: PushTransportOptions) {
    const sessions = options.http2SessionsPerOrigin ?? 1;
    for (const key of ['maxConcurrencyPerOrigin', 'connectionsPerOrigin', 'requestTimeoutMs', 'http2SessionsPerOrigin'] as const) {
      const value = key === 'http2SessionsPerOrigin' ? sessions : options[key];
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`${key} must be a positive integer, got ${value}`);
    }
    this.#allowPrivate = options.allowPrivate;
    this.#timeoutMs = options.requestTimeoutMs;
    this.#semaphore = new OriginSemaphore(options.maxConcurrencyPerOrigin);
    this.#agent = this.#newAgent(options, Math.min(options.connectionsPerOrigin, options.maxConcurrencyPerOrigin));
    this.#pool = this.#newPool(options, options.maxConcurrencyPerOrigin, sessions);
    const urgent = options.urgentConcurrencyPerOrigin ?? 0;
    this.#urgent =
      urgent > 0
        ? { semaphore: new OriginSemaphore(urgent), agent: this.#newAgent(options, Math.min(options.connectionsPerOrigin, urgent)), pool: this.#newPool(options, urgent, sessions) }
        : undefined;
  }

  #newPool(options: PushTransportOptions, inFlight: number, sessions: number): Http2Pool {
    return new Http2Pool({
      // The lane's semaphore already holds requests to its limit; the pool's own wait
      // is for streams the peer allows.
      maxInFlightPerKey: inFlight,
      maxSessionsPerKey: sessions,
      requestTimeoutMs: options.requestTimeoutMs,
      // Sessions close when idle, as kept-alive HTTP/1.1 connections do; no PINGs meanwhile.
      pingIntervalMs: 0,
      idleTimeoutMs: KEEP_ALIVE_TIMEOUT_MS,
      keptBodyBytes: KEPT_BODY_BYTES,
      maxBodyBytes: KEPT_BODY_BYTES + DRAINED_BODY_BYTES,
      offerHttp1: true,
      // The same check on every address as undici's connections get.
      lookup: createSafeLookup({ resolve: options.lookup, allowPrivate: options.allowPrivate }),
      ...(options.ca === undefined ? {} : { ca: options.ca }),
    });
  }

  #newAgent(options: PushTransportOptions, connections: number): LazyAgent {
    return new LazyAgent({
      // undici waits one event-loop turn before reusing an HTTP/1.1 socket (in case the
      // server closes it despite keep-alive), and opens another connection meanwhile if
      // allowed. Capping connections at the in-flight limit keeps that from ever opening
      // more sockets than requests: the request waits the turn instead.
      connections,
      // One request at a time per HTTP/1.1 connection: a pipelined request that
      // fails takes the ones behind it down, and POST must not be replayed.
      pipelining: 1,
      // HTTP/2 goes through the session pool; undici serves the origins that picked HTTP/1.1.
      allowH2: false,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      connectTimeout: options.requestTimeoutMs,
      headersTimeout: options.requestTimeoutMs,
      bodyTimeout: options.requestTimeoutMs,
      connect: {
        // Always installed, so that an injected resolver also serves allowPrivate;
        // it only checks addresses when private ones are not allowed.
        lookup: createSafeLookup({ resolve: options.lookup, allowPrivate: options.allowPrivate }),
        ...(options.ca === undefined ? {} : { ca: options.ca }),
      },
    });
  }

  /** POSTs `body` to `url` and returns the response, whatever its status. */
  async send(request: PushRequest): Promise<PushResponse> {
    if (this.#closing !== undefined) throw new TransportError('closed', 'the transport is closed');
    // Checked again at send time: the lookup is skipped for IP literals (net.connect
    // does not resolve them), and stored endpoints may predate a policy change.
    const url = checkEndpointUrl(request.url, { allowPrivate: this.#allowPrivate });

    this.#pending++;
    try {
      const lane = request.urgent && this.#urgent ? this.#urgent : { semaphore: this.#semaphore, agent: this.#agent, pool: this.#pool };
      const release = await lane.semaphore.acquire(url.origin);
      try {
        this.#requests++;
        return await this.#dispatch(url, request, lane);
      } finally {
        release();
      }
    } finally {
      this.#pending--;
      if (this.#pending === 0) this.#onDrained?.();
    }
  }

  stats(): TransportStats {
    const urgent = this.#urgent?.semaphore;
    return { inFlight: this.#semaphore.active + (urgent?.active ?? 0), queued: this.#semaphore.waiting + (urgent?.waiting ?? 0), requests: this.#requests };
  }

  /** Refuses new requests, waits for those already accepted (queued ones included), then closes every connection. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#pending > 0) await new Promise<void>((resolve) => (this.#onDrained = resolve));
      await Promise.all([this.#agent.close(), this.#pool.close(), this.#urgent?.agent.close(), this.#urgent?.pool.close()]);
    })();
    return this.#closing;
  }

  async #dispatch(url: URL, request: PushRequest, lane: Lane): Promise<PushResponse> {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      controller.abort(
        new TransportError('timeout', `no complete response from ${url.origin} within ${this.#timeoutMs} ms`),
      );
    }, this.#timeoutMs);
    try {
      if (url.protocol === 'https:' && this.#protocols.get(url.origin) !== 'h1') {
        try {
          const response = await lane.pool.request(url.origin, url.origin, { path: url.pathname + url.search, headers: request.headers, body: request.body, signal: controller.signal });
          this.#remember(url.origin, 'h2');
          return response;
        } catch (err) {
          // The peer picked HTTP/1.1 before anything was sent: this request and the next go that way.
          if (!(err instanceof NoHttp2Error)) throw err;
          this.#remember(url.origin, 'h1');
        }
      }
      const response = await (await lane.agent.get()).request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: 'POST',
        headers: request.headers,
        body: request.body,
        signal: controller.signal,
      });
      const body = await readBodyPrefix(response.body);
      return { status: response.statusCode, headers: flattenHeaders(response.headers), body };
    } catch (err) {
      throw toTransportError(err, url);
    } finally {
      clearTimeout(timer);
    }
  }

  #remember(origin: string, protocol: 'h1' | 'h2'): void {
    if (this.#protocols.get(origin) === protocol) return;
    this.#protocols.delete(origin);
    this.#protocols.set(origin, protocol);
    if (this.#protocols.size > REMEMBERED_ORIGINS) this.#protocols.delete(this.#protocols.keys().next().value!);
  }
}

interface Lane {
  semaphore: OriginSemaphore;
  agent: LazyAgent;
  pool: Http2Pool;
}

/**
 * Keeps the first KEPT_BODY_BYTES and reads the rest to its end (up to
 * DRAINED_BODY_BYTES): an HTTP/1.1 connection is only reused once its response has
 * been read in full.
 */
async function readBodyPrefix(body: AsyncIterable<Buffer> & { destroy(): void; on(e: 'error', f: () => void): unknown }): Promise<string> {
  // Destroying the body below makes undici emit an abort error on it; nobody else listens.
  body.on('error', () => {});
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let seen = 0;
  for await (const chunk of body) {
    seen += chunk.length;
    if (keptBytes < KEPT_BODY_BYTES) {
      const part = chunk.subarray(0, KEPT_BODY_BYTES - keptBytes);
      kept.push(part);
      keptBytes += part.length;
    }
    if (seen > KEPT_BODY_BYTES + DRAINED_BODY_BYTES) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(kept).toString('utf8');
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
// undici refuses the request before sending it (forbidden header, bad value).
const INVALID_REQUEST_CODES = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'ERR_INVALID_CHAR', 'ERR_INVALID_HTTP_TOKEN']);

function toTransportError(err: unknown, url: URL): Error {
  // The lookup's refusal, also when an HTTP/2 session carries it as the cause of its failure.
  if (err instanceof TransportError && err.cause instanceof EndpointRejectedError) return err.cause;
  // Our own timeout (the abort reason) and the lookup's refusal pass through as they are.
  if (err instanceof TransportError || err instanceof EndpointRejectedError) return err;
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  const detail = err instanceof Error ? err.message : String(err);
  if (TIMEOUT_CODES.has(code)) {
    return new TransportError('timeout', `request to ${url.origin} timed out: ${detail}`, { cause: err });
  }
  if (INVALID_REQUEST_CODES.has(code)) {
    return new TransportError('invalid_request', `request to ${url.origin} not sent: ${detail}`, { cause: err });
  }
  return new TransportError('network', `request to ${url.origin} failed: ${detail}`, { cause: err });
}

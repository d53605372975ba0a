import http2, { type ClientHttp2Session } from 'node:http2';
import { isIP, type LookupFunction } from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { streamRequest, UnprocessedError, type Http2Request, type Http2Response } from './http2-stream.ts';
import { NoHttp2Error } from './no-http2-error.ts';
import { TransportError } from './transport-error.ts';

export type { Http2Request, Http2Response } from './http2-stream.ts';

/** Bytes of a response body kept by default: APNs and FCM error bodies are a few hundred bytes. */
const KEPT_BODY_BYTES = 16 * 1024;
/** Times a request refused unprocessed (GOAWAY, REFUSED_STREAM) is moved to another session. */
const MAX_REPLAYS = 3;

export interface Http2PoolOptions {
  /** Streams in flight per key over all its sessions; more wait their turn, first come first served. */
  maxInFlightPerKey: number;
  /** Sessions per key; another opens only when the open ones are at the peer's stream limit. */
  maxSessionsPerKey: number;
  /** ms from opening a stream to the end of its response; also the most a session may take to open. */
  requestTimeoutMs: number;
  /** ms between PINGs on an open session, which find dead connections before a send does; 0: none. */
  pingIntervalMs: number;
  /** ms a session with no stream stays open before the pool closes it; 0 or unset: until the peer closes it. */
  idleTimeoutMs?: number;
  /** Bytes of a response body kept; 16 KB unless set. */
  keptBodyBytes?: number;
  /** Bytes of a response body read at most: past them the stream is cancelled and the kept prefix answered. Unset: no limit. */
  maxBodyBytes?: number;
  /**
   * Offer http/1.1 beside h2 in ALPN, for peers that may speak only HTTP/1.1 (Web Push
   * services): a peer that does not pick h2 fails the requests waiting for the session with
   * NoHttp2Error, before any of them was sent. Unset: h2 only (APNs, FCM).
   */
  offerHttp1?: boolean;
  /**
   * CA certificates to trust instead of Node's bundled roots (tests with a private CA).
   * Unset, TLS uses the bundled roots plus NODE_EXTRA_CA_CERTS.
   */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Resolver for connects, e.g. the SSRF-checking one. */
  lookup?: LookupFunction;
  logger?: Logger;
}

export interface Http2PoolStats {
  /** Sessions opened since the pool was made: connections, as the peer counts them. */
  sessionsOpened: number;
  sessionsOpen: number;
  inFlight: number;
  queued: number;
}

interface Conn {
  session: ClientHttp2Session;
  active: number;
  /** The peer's SETTINGS_MAX_CONCURRENT_STREAMS. */
  maxStreams: number;
  /** The peer's SETTINGS arrived: streams may open on it, up to maxStreams. */
  settled: boolean;
  /** False once the session got a GOAWAY, failed or closed: no new streams on it. */
  usable: boolean;
  /** The last stream id of the GOAWAY the session got: streams above it were not processed. */
  lastStreamId: number | undefined;
  /** Why the session ended, for the requests that waited for it to open. */
  failure: Error | undefined;
  pinger: NodeJS.Timeout | undefined;
  idler: NodeJS.Timeout | undefined;
}

interface Waiter {
  resolve(conn: Conn): void;
  reject(err: Error): void;
}

interface Group {
  key: string;
  origin: string;
  conns: Conn[];
  waiters: Waiter[];
  inFlight: number;
}

/**
 * Long-lived HTTP/2 sessions per key (an origin and, for APNs, the team whose token the
 * session carries: Apple refuses tokens of several teams on one connection), with many
 * concurrent streams per session, as Apple asks of providers ("Sending notification
 * requests to APNs": keep connections open, reuse them, do not reconnect per request).
 *
 * - A session takes streams once the peer's SETTINGS say how many it allows, never more
 *   than that at once; a new session opens only when the open ones are at that limit.
 * - After a GOAWAY a session takes no new streams; its streams in flight finish; streams
 *   the peer refused unprocessed (above the GOAWAY's last stream id, or REFUSED_STREAM)
 *   are sent again on another session, since the peer never saw them.
 * - A stream cut off in mid-flight (reset, connection lost) fails with TransportError
 *   'network': the peer may have seen it, so the caller decides (a retry, at least once).
 * - PINGs find dead connections while idle.
 *
 * @example
 *   const res = await pool.request(`${origin} ${teamId}`, origin, { path: '/3/device/…', headers, body });
 */
export class Http2Pool {
  readonly #options: Http2PoolOptions;
  readonly #groups = new Map<string, Group>();
  #opened = 0;
  #closed = false;

  constructor(options: Http2PoolOptions) {
    for (const key of ['maxInFlightPerKey', 'maxSessionsPerKey', 'requestTimeoutMs'] as const) {
      if (!Number.isInteger(options[key]) || options[key] < 1) throw new RangeError(`${key} must be a positive integer, got ${options[key]}`);
    }
    this.#options = options;
  }

  /** Sends one request and returns its response, whatever the status. */
  async request(key: string, origin: string, req: Http2Request): Promise<Http2Response> {
    const limits = {
      timeoutMs: this.#options.requestTimeoutMs,
      keptBodyBytes: this.#options.keptBodyBytes ?? KEPT_BODY_BYTES,
      maxBodyBytes: this.#options.maxBodyBytes ?? Number.POSITIVE_INFINITY,
    };
    for (let replay = 0; ; replay++) {
      if (this.#closed) throw new TransportError('closed', 'the HTTP/2 pool is closed');
      req.signal?.throwIfAborted();
      const group = this.#group(key, origin);
      const conn = await this.#acquire(group, req.signal);
      try {
        return await streamRequest(conn.session, req, { ...limits, lastStreamId: () => conn.lastStreamId });
      } catch (err) {
        if (err instanceof UnprocessedError) {
          if (conn.session.closed || conn.session.destroyed) this.#retire(group, conn);
          if (replay < MAX_REPLAYS) continue;
        }
        if (req.signal?.aborted && err === req.signal.reason) throw err;
        if (err instanceof TransportError) throw err;
        throw new TransportError('network', `${origin}: ${(err as Error).message}`, { cause: err });
      } finally {
        this.#release(group, conn);
      }
    }
  }

  stats(): Http2PoolStats {
    let sessionsOpen = 0;
    let inFlight = 0;
    let queued = 0;
    for (const g of this.#groups.values()) {
      sessionsOpen += g.conns.length;
      inFlight += g.inFlight;
      queued += g.waiters.length;
    }
    return { sessionsOpened: this.#opened, sessionsOpen, inFlight, queued };
  }

  /**
   * Refuses new requests and closes every session: streams in flight get up to the
   * request timeout to finish, then the sessions are destroyed.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const closing: Promise<void>[] = [];
    for (const g of this.#groups.values()) {
      for (const w of g.waiters.splice(0)) w.reject(new TransportError('closed', 'the HTTP/2 pool is closed'));
      for (const c of g.conns) {
        c.usable = false;
        clearInterval(c.pinger);
        clearTimeout(c.idler);
        if (c.session.destroyed) continue;
        closing.push(
          new Promise<void>((resolve) => {
            c.session.once('close', () => resolve());
            // A session still connecting ends at once (close() would end it without a 'close' event).
            if (!c.settled) c.session.destroy();
            else if (!c.session.closed) c.session.close();
          }),
        );
      }
    }
    const deadline = setTimeout(() => {
      for (const g of this.#groups.values()) for (const c of g.conns) c.session.destroy();
    }, this.#options.requestTimeoutMs);
    deadline.unref();
    await Promise.all(closing);
    clearTimeout(deadline);
  }

  #group(key: string, origin: string): Group {
    let g = this.#groups.get(key);
    if (!g) {
      g = { key, origin, conns: [], waiters: [], inFlight: 0 };
      this.#groups.set(key, g);
    }
    return g;
  }

  #acquire(group: Group, signal: AbortSignal | undefined): Promise<Conn> {
    if (group.waiters.length === 0) {
      const conn = this.#reserve(group);
      if (conn) return Promise.resolve(conn);
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const i = group.waiters.indexOf(waiter);
        if (i >= 0) group.waiters.splice(i, 1);
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        resolve: (conn) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(conn);
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      group.waiters.push(waiter);
    });
  }

  /**
   * A stream slot on a session with room; undefined when there is none yet. Opens a
   * session when all are full and another is allowed, unless one is already opening: its
   * SETTINGS will say how many streams it takes, and the waiters get them then.
   */
  #reserve(group: Group): Conn | undefined {
    if (group.inFlight >= this.#options.maxInFlightPerKey) return undefined;
    let usable = 0;
    let opening = false;
    for (const c of group.conns) {
      // One that failed before its SETTINGS still counts until it closes, where its
      // waiters learn why: a second attempt meanwhile would fail the same way.
      if (!c.settled) opening = true;
      if (!c.usable) continue;
      usable++;
      if (c.settled && c.active < c.maxStreams) {
        c.active++;
        group.inFlight++;
        if (c.active === 1) {
          clearTimeout(c.idler);
          c.session.ref();
        }
        return c;
      }
    }
    if (!opening && usable < this.#options.maxSessionsPerKey) this.#open(group);
    return undefined;
  }

  #release(group: Group, conn: Conn): void {
    conn.active--;
    group.inFlight--;
    if (conn.active === 0) {
      if (!conn.usable) conn.session.close();
      else this.#idle(group, conn);
    }
    this.#pump(group);
  }

  /** A session with no stream: it does not keep the process alive, and closes after idleTimeoutMs. */
  #idle(group: Group, conn: Conn): void {
    conn.session.unref();
    const ms = this.#options.idleTimeoutMs ?? 0;
    if (ms <= 0) return;
    clearTimeout(conn.idler);
    conn.idler = setTimeout(() => {
      if (conn.active === 0) this.#retire(group, conn);
    }, ms);
    conn.idler.unref();
  }

  /** Hands free slots to waiters in arrival order. */
  #pump(group: Group): void {
    while (group.waiters.length > 0 && !this.#closed) {
      const conn = this.#reserve(group);
      if (!conn) return;
      group.waiters.shift()!.resolve(conn);
    }
  }

  #open(group: Group): void {
    this.#opened++;
    const log = this.#options.logger;
    const { ca, lookup, offerHttp1 } = this.#options;
    const url = new URL(group.origin);
    const session = http2.connect(group.origin, {
      ...(ca !== undefined ? { ca } : {}),
      ...(lookup !== undefined ? { lookup } : {}),
      ...(offerHttp1 && url.protocol === 'https:' ? { createConnection: () => connectOfferingHttp1(url, ca, lookup) } : {}),
      settings: { enablePush: false },
    });
    const conn: Conn = { session, active: 0, maxStreams: 1, settled: false, usable: true, lastStreamId: undefined, failure: undefined, pinger: undefined, idler: undefined };
    // A connect that hangs (no SYN-ACK, a stalled handshake) must not hold its waiters for good.
    const opening = setTimeout(() => {
      conn.failure ??= new TransportError('timeout', `${group.origin}: no HTTP/2 session within ${this.#options.requestTimeoutMs} ms`);
      session.destroy();
    }, this.#options.requestTimeoutMs);
    opening.unref();
    session.once('connect', () => {
      if (!offerHttp1 || session.alpnProtocol === 'h2') return;
      conn.failure ??= new NoHttp2Error(group.origin, session.alpnProtocol);
      session.destroy();
    });
    session.on('remoteSettings', (settings) => {
      // An unset limit means unlimited (RFC 9113 §6.5.2); maxInFlightPerKey bounds it.
      conn.maxStreams = Math.max(1, settings.maxConcurrentStreams ?? this.#options.maxInFlightPerKey);
      const first = !conn.settled;
      conn.settled = true;
      clearTimeout(opening);
      this.#pump(group);
      if (first && conn.active === 0) this.#idle(group, conn);
    });
    session.on('goaway', (errorCode, lastStreamId, opaqueData) => {
      // APNs puts its reason as JSON in the GOAWAY's debug data ("Handling notification
      // responses from APNs"); it is logged, and the next session is opened on demand.
      if (conn.usable) log?.info({ origin: group.origin, errorCode, lastStreamId, debug: opaqueData?.toString('utf8').slice(0, 200) }, 'peer sent GOAWAY');
      conn.lastStreamId = lastStreamId;
      this.#retire(group, conn);
    });
    session.on('error', (err) => {
      log?.warn({ origin: group.origin, err: err.message }, 'HTTP/2 session failed');
      conn.failure ??= new TransportError('network', `${group.origin}: ${err.message}`, { cause: err });
      this.#retire(group, conn);
    });
    session.on('close', () => {
      clearTimeout(opening);
      clearTimeout(conn.idler);
      this.#retire(group, conn);
      const i = group.conns.indexOf(conn);
      if (i >= 0) group.conns.splice(i, 1);
      if (!conn.settled) {
        // The requests waiting for this session get why it never opened (a refused
        // address, TLS, a peer without h2), rather than a new attempt each.
        const failure = conn.failure ?? new TransportError('network', `${group.origin}: the session closed before the peer's SETTINGS`);
        for (const w of group.waiters.splice(0)) w.reject(failure);
      }
      if (group.conns.length === 0 && group.waiters.length === 0 && group.inFlight === 0) this.#groups.delete(group.key);
      else this.#pump(group);
    });
    if (this.#options.pingIntervalMs > 0) {
      conn.pinger = setInterval(() => this.#ping(conn), this.#options.pingIntervalMs);
      conn.pinger.unref();
    }
    group.conns.push(conn);
  }

  /** No new streams on this session; it closes once its streams are done. */
  #retire(group: Group, conn: Conn): void {
    if (!conn.usable) return;
    conn.usable = false;
    clearInterval(conn.pinger);
    clearTimeout(conn.idler);
    if (!conn.settled) conn.session.destroy();
    else if (conn.active === 0 && !conn.session.closed) conn.session.close();
    this.#pump(group);
  }

  #ping(conn: Conn): void {
    if (!conn.usable || !conn.settled) return;
    const timer = setTimeout(() => conn.session.destroy(new Error('PING not answered')), this.#options.requestTimeoutMs);
    timer.unref();
    const sent = conn.session.ping((err) => {
      clearTimeout(timer);
      if (err && !conn.session.destroyed) conn.session.destroy(err);
    });
    if (!sent) clearTimeout(timer);
  }
}

/**
 * The TLS connection of a session to a peer that may speak HTTP/1.1 only: ALPN offers
 * both, so such a peer completes the handshake and says so, instead of failing it.
 */
function connectOfferingHttp1(url: URL, ca: Http2PoolOptions['ca'], lookup: LookupFunction | undefined): tls.TLSSocket {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return tls.connect({
    host,
    port: Number(url.port || 443),
    // SNI carries names only (RFC 6066 §3).
    ...(isIP(host) === 0 ? { servername: host } : {}),
    ALPNProtocols: ['h2', 'http/1.1'],
    ...(ca !== undefined ? { ca } : {}),
    ...(lookup !== undefined ? { lookup } : {}),
  });
}

import http2, { type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import type { LookupFunction } from 'node:net';
import type { Logger } from 'pino';
import { TransportError } from './transport-error.ts';

/** Bytes of a response body kept: APNs and FCM error bodies are a few hundred bytes. */
const KEPT_BODY_BYTES = 16 * 1024;
/**
 * Streams a session is assumed to allow until the peer's SETTINGS arrive; RFC 9113
 * §6.5.2 recommends that a peer allow no fewer than 100.
 */
const INITIAL_STREAM_LIMIT = 100;
/** Times a request refused unprocessed (GOAWAY, REFUSED_STREAM) is moved to another session. */
const MAX_REPLAYS = 3;

export interface Http2PoolOptions {
  /** Streams in flight per key over all its sessions; more wait their turn, first come first served. */
  maxInFlightPerKey: number;
  /** Sessions per key; another opens only when the open ones are at the peer's stream limit. */
  maxSessionsPerKey: number;
  /** ms from opening a stream to the end of its response. */
  requestTimeoutMs: number;
  /** ms between PINGs on an open session, which find dead connections before a send does; 0: none. */
  pingIntervalMs: number;
  /**
   * CA certificates to trust instead of Node's bundled roots (tests with a private CA).
   * Unset, TLS uses the bundled roots plus NODE_EXTRA_CA_CERTS.
   */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Resolver for connects, e.g. the SSRF-checking one. */
  lookup?: LookupFunction;
  logger?: Logger;
}

export interface Http2Request {
  method?: 'POST' | 'GET';
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array;
}

export interface Http2Response {
  status: number;
  /** Lower-case names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  /** The first 16 KB of the body as UTF-8. */
  body: string;
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
  /** False once the session got a GOAWAY, failed or closed: no new streams on it. */
  usable: boolean;
  ready: Promise<void>;
  pinger: NodeJS.Timeout | undefined;
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

/** A stream the peer did not process (RFC 9113 §8.7): safe to send again elsewhere. */
class UnprocessedError extends Error {}

/**
 * Long-lived HTTP/2 sessions per key (an origin and, for APNs, the team whose token the
 * session carries: Apple refuses tokens of several teams on one connection), with many
 * concurrent streams per session, as Apple asks of providers ("Sending notification
 * requests to APNs": keep connections open, reuse them, do not reconnect per request).
 *
 * - A new session opens only when the open ones are at the peer's stream limit.
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
    for (let replay = 0; ; replay++) {
      if (this.#closed) throw new TransportError('closed', 'the HTTP/2 pool is closed');
      const group = this.#group(key, origin);
      const conn = await this.#acquire(group);
      try {
        await conn.ready;
        return await this.#stream(conn, req);
      } catch (err) {
        if (err instanceof UnprocessedError && replay < MAX_REPLAYS) continue;
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
        if (c.session.destroyed) continue;
        closing.push(
          new Promise<void>((resolve) => {
            c.session.once('close', () => resolve());
            if (!c.session.closed) c.session.close();
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

  #acquire(group: Group): Promise<Conn> {
    if (group.waiters.length === 0) {
      const conn = this.#reserve(group);
      if (conn) return Promise.resolve(conn);
    }
    return new Promise((resolve, reject) => group.waiters.push({ resolve, reject }));
  }

  /** A stream slot on a session with room, opening a session if allowed; undefined when all are busy. */
  #reserve(group: Group): Conn | undefined {
    if (group.inFlight >= this.#options.maxInFlightPerKey) return undefined;
    let conn: Conn | undefined;
    let usable = 0;
    for (const c of group.conns) {
      if (!c.usable) continue;
      usable++;
      if (c.active < c.maxStreams) {
        conn = c;
        break;
      }
    }
    if (!conn && usable < this.#options.maxSessionsPerKey) conn = this.#open(group);
    if (!conn) return undefined;
    conn.active++;
    group.inFlight++;
    if (conn.active === 1) conn.session.ref();
    return conn;
  }

  #release(group: Group, conn: Conn): void {
    conn.active--;
    group.inFlight--;
    if (conn.active === 0) {
      if (!conn.usable) conn.session.close();
      else conn.session.unref();
    }
    this.#pump(group);
  }

  /** Hands free slots to waiters in arrival order. */
  #pump(group: Group): void {
    while (group.waiters.length > 0 && !this.#closed) {
      const conn = this.#reserve(group);
      if (!conn) return;
      group.waiters.shift()!.resolve(conn);
    }
  }

  #open(group: Group): Conn {
    this.#opened++;
    const log = this.#options.logger;
    const session = http2.connect(group.origin, {
      ...(this.#options.ca !== undefined ? { ca: this.#options.ca } : {}),
      ...(this.#options.lookup !== undefined ? { lookup: this.#options.lookup } : {}),
      settings: { enablePush: false },
    });
    const conn: Conn = { session, active: 0, maxStreams: INITIAL_STREAM_LIMIT, usable: true, ready: Promise.resolve(), pinger: undefined };
    conn.ready = new Promise<void>((resolve, reject) => {
      session.once('connect', () => resolve());
      session.once('error', (err) => reject(new TransportError('network', `${group.origin}: ${err.message}`, { cause: err })));
    });
    conn.ready.catch(() => {});
    session.on('remoteSettings', (settings) => {
      // An unset limit means unlimited (RFC 9113 §6.5.2); maxInFlightPerKey bounds it.
      conn.maxStreams = Math.max(1, settings.maxConcurrentStreams ?? this.#options.maxInFlightPerKey);
      this.#pump(group);
    });
    session.on('goaway', (errorCode, lastStreamId, opaqueData) => {
      // APNs puts its reason as JSON in the GOAWAY's debug data ("Handling notification
      // responses from APNs"); it is logged, and the next session is opened on demand.
      if (conn.usable) log?.info({ origin: group.origin, errorCode, lastStreamId, debug: opaqueData?.toString('utf8').slice(0, 200) }, 'peer sent GOAWAY');
      this.#retire(group, conn);
    });
    session.on('error', (err) => {
      log?.warn({ origin: group.origin, err: err.message }, 'HTTP/2 session failed');
      this.#retire(group, conn);
    });
    session.on('close', () => {
      this.#retire(group, conn);
      const i = group.conns.indexOf(conn);
      if (i >= 0) group.conns.splice(i, 1);
      if (group.conns.length === 0 && group.waiters.length === 0 && group.inFlight === 0) this.#groups.delete(group.key);
      else this.#pump(group);
    });
    if (this.#options.pingIntervalMs > 0) {
      conn.pinger = setInterval(() => this.#ping(conn), this.#options.pingIntervalMs);
      conn.pinger.unref();
    }
    group.conns.push(conn);
    return conn;
  }

  /** No new streams on this session; it closes once its streams are done. */
  #retire(group: Group, conn: Conn): void {
    if (!conn.usable) return;
    conn.usable = false;
    clearInterval(conn.pinger);
    if (conn.active === 0 && !conn.session.closed) conn.session.close();
    this.#pump(group);
  }

  #ping(conn: Conn): void {
    if (!conn.usable || conn.session.connecting) return;
    const timer = setTimeout(() => conn.session.destroy(new Error('PING not answered')), this.#options.requestTimeoutMs);
    timer.unref();
    const sent = conn.session.ping((err) => {
      clearTimeout(timer);
      if (err && !conn.session.destroyed) conn.session.destroy(err);
    });
    if (!sent) clearTimeout(timer);
  }

  #stream(conn: Conn, req: Http2Request): Promise<Http2Response> {
    return new Promise((resolve, reject) => {
      let stream: ClientHttp2Stream;
      try {
        stream = conn.session.request({ ':method': req.method ?? 'POST', ':path': req.path, ...req.headers });
      } catch (err) {
        // The session got a GOAWAY or closed between the slot and the stream: nothing was sent.
        conn.usable = false;
        reject(new UnprocessedError((err as Error).message));
        return;
      }
      let status: number | undefined;
      let headers: Record<string, string> = {};
      let ended = false;
      const kept: Buffer[] = [];
      let keptBytes = 0;
      const timer = setTimeout(() => {
        reject(new TransportError('timeout', `no complete answer within ${this.#options.requestTimeoutMs} ms`));
        stream.close(http2.constants.NGHTTP2_CANCEL);
      }, this.#options.requestTimeoutMs);
      stream.on('response', (h) => {
        status = Number(h[':status']);
        headers = flatten(h);
      });
      stream.on('data', (chunk: Buffer) => {
        if (keptBytes < KEPT_BODY_BYTES) {
          kept.push(chunk.subarray(0, KEPT_BODY_BYTES - keptBytes));
          keptBytes += Math.min(chunk.length, KEPT_BODY_BYTES - keptBytes);
        }
      });
      stream.on('end', () => (ended = true));
      // Every failure also ends in 'close', where it is reported once.
      stream.on('error', () => {});
      stream.on('close', () => {
        clearTimeout(timer);
        if (status !== undefined && ended) {
          resolve({ status, headers, body: Buffer.concat(kept).toString('utf8') });
        } else if (stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM) {
          reject(new UnprocessedError('stream refused by the peer'));
        } else {
          reject(new TransportError('network', `stream closed before a complete answer (HTTP/2 error code ${stream.rstCode})`));
        }
      });
      stream.end(req.body);
    });
  }
}

function flatten(h: http2.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(h)) {
    if (name.startsWith(':') || value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

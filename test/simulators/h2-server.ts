/**
 * The HTTP/2 side shared by the APNs and FCM simulators: a TLS server (ALPN h2, with
 * HTTP/1.1 allowed for OAuth token requests) on 127.0.0.1 with the test certificate of
 * src/transport/fixtures (valid for 127.0.0.1 and localhost). Senders trust it through
 * the `ca` the simulator exposes: NODE_EXTRA_CA_CERTS is only read when a process starts.
 */
import { readFileSync } from 'node:fs';
import http2, { type Http2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';

const FIXTURES = new URL('../../src/transport/fixtures/', import.meta.url);
export const TEST_CA = readFileSync(new URL('test-cert.pem', FIXTURES), 'utf8');
const TEST_KEY = readFileSync(new URL('test-key.pem', FIXTURES), 'utf8');

/** Reads no more than this of a request body. */
const READ_LIMIT = 1024 * 1024;

export interface SimRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  session: Http2Session;
  /** Sequence number of the session (connection) it came on, from 1. */
  connection: number;
}

export interface SimAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** An answer, or 'drop': the connection is cut without one, as a crashing front end would. */
export type SimHandler = (req: SimRequest) => Promise<SimAnswer | 'drop'> | SimAnswer | 'drop';

export interface H2Server {
  url: string;
  /** HTTP/2 sessions accepted: connections, as a sender opens them. */
  readonly connections: number;
  /** Sends GOAWAY (no error, with JSON debug data as APNs does) on every open session, then closes each once its streams are done. */
  goaway(debug?: string): void;
  /** The same for one session. */
  goawaySession(session: Http2Session, debug?: string): void;
  close(): Promise<void>;
}

export async function startH2Server(handler: SimHandler, settings: http2.Settings = {}): Promise<H2Server> {
  const server = http2.createSecureServer({ cert: TEST_CA, key: TEST_KEY, allowHTTP1: false, settings });
  const sessions = new Map<Http2Session, number>();
  const lastStream = new Map<Http2Session, number>();
  let connections = 0;
  server.on('session', (session) => {
    sessions.set(session, ++connections);
    lastStream.set(session, 0);
    session.on('close', () => {
      sessions.delete(session);
      lastStream.delete(session);
    });
    session.on('error', () => {});
  });
  server.on('stream', (stream: ServerHttp2Stream, headers) => {
    stream.on('error', () => {});
    if (stream.session) lastStream.set(stream.session, Math.max(lastStream.get(stream.session) ?? 0, stream.id ?? 0));
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= READ_LIMIT) chunks.push(chunk);
    });
    stream.on('end', async () => {
      const req: SimRequest = {
        method: String(headers[':method']),
        path: String(headers[':path']),
        headers,
        body: Buffer.concat(chunks),
        session: stream.session!,
        connection: sessions.get(stream.session!) ?? 0,
      };
      let answer: SimAnswer | 'drop';
      try {
        answer = await handler(req);
      } catch (err) {
        answer = { status: 500, body: JSON.stringify({ reason: 'InternalServerError', detail: String(err) }) };
      }
      if (answer === 'drop') {
        stream.session?.destroy();
        return;
      }
      if (stream.destroyed || stream.closed) return;
      stream.respond({ ':status': answer.status, ...answer.headers });
      stream.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const goawaySession = (session: Http2Session, debug: string): void => {
    if (session.closed || session.destroyed) return;
    // RFC 9113 §6.8: the last stream id it took; the sender may replay the ones above.
    session.goaway(http2.constants.NGHTTP2_NO_ERROR, lastStream.get(session) ?? 0, Buffer.from(debug));
    session.close();
  };
  return {
    url,
    get connections() {
      return connections;
    },
    goaway(debug = JSON.stringify({ reason: 'Shutdown' })) {
      for (const session of sessions.keys()) goawaySession(session, debug);
    },
    goawaySession(session, debug = JSON.stringify({ reason: 'Shutdown' })) {
      goawaySession(session, debug);
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of sessions.keys()) session.destroy();
      await closed;
    },
  };
}

/** A fault that takes a request and holds its usual answer until `until` settles: a slow provider, its streams held open. */
export interface HeldAnswer {
  until: Promise<unknown>;
}

/**
 * Waits out a held answer, `held.count` counting the requests held meanwhile. Returns the
 * fault still to apply: none after a hold (the usual answer follows), the fault itself otherwise.
 */
export async function waitOutHold<F>(fault: F | HeldAnswer | undefined, held: { count: number }): Promise<Exclude<F, HeldAnswer> | undefined> {
  if (typeof fault !== 'object' || fault === null || !('until' in fault)) return fault as Exclude<F, HeldAnswer> | undefined;
  held.count++;
  await Promise.allSettled([(fault as HeldAnswer).until]);
  held.count--;
  return undefined;
}

/**
 * The bench's push service: a loopback RFC 8030 endpoint that answers 201 to every
 * `POST /push/...` and does nothing else. Unlike test/support/push-sink.ts it neither
 * verifies VAPID nor decrypts, so it costs the contenders as little CPU as possible
 * (it still shares the machine with them, equally for every contender).
 *
 * It runs as a child process of bench/run.ts over TLS, in one of two modes:
 *   h1  HTTP/1.1 only (ALPN offers http/1.1), as the web-push package speaks
 *   h2  HTTP/2 offered through ALPN, HTTP/1.1 still accepted
 *
 * Messages from the harness: `expect {count}` starts counting pushes and reports `done`
 * with the wall-clock time of the count-th 201; pushes whose Topic starts with `probe`
 * (or `alr_`, a civic alert's thread) are not counted but reported one by one as `probe {topic, t}`. `expect` may name paths
 * to `sample`: their bodies (still encrypted) come back with `done`, for the harness to
 * decrypt with keys it holds. `stats` reports the count so far and the time of the last
 * counted 201, for a run that sends fewer than it expected.
 */
import { readFileSync } from 'node:fs';
import http2, { type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { childArgs, main, onMessage, peakRssKb, send, wallNow } from './lib/ipc.ts';

export type SinkMode = 'h1' | 'h2';

interface SinkArgs {
  mode: SinkMode;
  port: number;
  certFile: string;
  keyFile: string;
}

const PATH_PREFIX = '/push/';

main(async () => {
  const args = childArgs<SinkArgs>();
  const tls = { cert: readFileSync(args.certFile), key: readFileSync(args.keyFile) };
  let counted = 0;
  let target = Number.POSITIVE_INFINITY;
  let runId = '';
  let requests = 0;
  let connections = 0;
  /** Connections (HTTP/1.1 sockets, HTTP/2 sessions) that carried a push since `expect`. */
  const used = new Set<object>();
  let cpuAtExpect = process.cpuUsage();
  const versions: Record<string, number> = {};
  let lastT = 0;
  let sample = new Set<string>();
  const samples: Record<string, string> = {};

  const handle = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => {
    const kept: Buffer[] | undefined = sample.has(req.url ?? '') ? [] : undefined;
    if (kept) req.on('data', (c: Buffer) => kept.push(c));
    req.resume();
    req.on('end', () => {
      if (kept) samples[req.url!] = Buffer.concat(kept).toString('base64');
      requests++;
      used.add((req as Http2ServerRequest).stream?.session ?? req.socket);
      versions[req.httpVersion] = (versions[req.httpVersion] ?? 0) + 1;
      if (req.method !== 'POST' || !req.url?.startsWith(PATH_PREFIX)) {
        res.writeHead(404).end();
        return;
      }
      // RFC 8030 §5: 201 Created with the message's Location.
      res.writeHead(201, { location: `${PATH_PREFIX}m/${requests}`, ttl: String(req.headers.ttl ?? '0') }).end();
      const t = wallNow();
      const topic = req.headers.topic;
      // Civic alerts' pushes carry the alert's thread (its id) as their Topic: timed one by one too.
      if (typeof topic === 'string' && (topic.startsWith('probe') || topic.startsWith('alr_'))) {
        send({ type: 'probe', topic, t });
        return;
      }
      lastT = t;
      if (++counted === target) {
        const cpu = process.cpuUsage(cpuAtExpect);
        send({ type: 'done', id: runId, t, count: counted, connections: used.size, opened: connections, requests, versions: { ...versions }, cpuMs: (cpu.user + cpu.system) / 1000, samples: { ...samples } });
      }
    });
  };

  const server =
    args.mode === 'h2'
      ? http2.createSecureServer({ ...tls, allowHTTP1: true, settings: { maxConcurrentStreams: 1000 } }, handle)
      : https.createServer({ ...tls, keepAliveTimeout: 60_000, ALPNProtocols: ['http/1.1'] }, handle);
  server.on('secureConnection', () => connections++);
  server.on('sessionError', () => {});
  server.on('tlsClientError', () => {});
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(args.port, '127.0.0.1', () => resolve());
  });

  onMessage(async (message) => {
    if (message.type === 'expect') {
      counted = 0;
      target = Number(message.count);
      runId = String(message.id ?? '');
      connections = 0;
      requests = 0;
      used.clear();
      cpuAtExpect = process.cpuUsage();
      for (const k of Object.keys(versions)) delete versions[k];
      sample = new Set(Array.isArray(message.sample) ? message.sample.map(String) : []);
      for (const k of Object.keys(samples)) delete samples[k];
      send({ type: 'expecting', id: runId });
    } else if (message.type === 'stats') {
      const cpu = process.cpuUsage(cpuAtExpect);
      send({ type: 'stats', counted, requests, connections, versions: { ...versions }, lastT, used: used.size, cpuMs: (cpu.user + cpu.system) / 1000, samples: { ...samples } });
    } else if (message.type === 'stop') {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await send({ type: 'stopped', maxRssKb: peakRssKb() });
      process.exit(0);
    }
  });
  send({ type: 'ready', port: args.port, mode: args.mode });
});

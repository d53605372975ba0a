/**
 * Section 6: memory per idle WebSocket connection on Carillon's own push service (the
 * protocol Firefox speaks to its push service), against a bare `ws` server measured the
 * same way in the same run. Mozilla's autopush publishes about 10 kB per client.
 *
 * Each server runs in its own process with --expose-gc; the figure is the growth of its
 * RSS (after collecting garbage) from before the clients connect to after, divided by
 * the number of clients.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientsArgs } from '../children/ws-clients.ts';
import { REPO_ROOT, type Child } from '../lib/child.ts';
import type { Harness } from '../lib/harness.ts';
import type { Row, SectionResult } from '../lib/report.ts';
import { fixed, int, times } from '../lib/stats.ts';

/** Published by Mozilla for autopush (its Rust connection server): about 10 kB per connected client. */
const AUTOPUSH_KB_PER_CLIENT = 10;

interface Memory {
  type: string;
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export interface ConnectionFigure {
  contender: 'carillon' | 'bare ws';
  clients: number;
  failed: number;
  rssBytesPerClient: number;
  heapBytesPerClient: number;
  before: Memory;
  after: Memory;
}

export function pushServiceAvailable(): boolean {
  return existsSync(join(REPO_ROOT, 'src/push-service/index.ts'));
}

/**
 * A first tenth of the clients connect before the measure, so that what happens once
 * (code compiled on the first upgrade, buffers allocated on the first message) is not
 * counted per client; the figure is the growth from there.
 */
async function measure(h: Harness, contender: ConnectionFigure['contender'], server: Child, url: string, clients: number): Promise<ConnectionFigure> {
  const client = h.child('children/ws-clients.ts', { url } satisfies ClientsArgs, { name: `ws clients (${contender})` });
  type Opened = { type: string; open: number; failed: number; firstError: string };
  try {
    await client.next('ready', 60_000);
    client.send({ type: 'open', count: Math.max(50, Math.round(clients / 10)) });
    const warm = await client.next<Opened>('opened', 10 * 60_000);
    if (warm.open === 0) throw new Error(`no client could connect to ${contender}: ${warm.firstError}`);
    await new Promise((r) => setTimeout(r, 500));
    const before = await memory(server);
    client.send({ type: 'open', count: clients });
    const opened = await client.next<Opened>('opened', 10 * 60_000);
    await new Promise((r) => setTimeout(r, 1_000));
    const after = await memory(server);
    const added = opened.open - warm.open;
    const f: ConnectionFigure = {
      contender,
      clients: added,
      failed: opened.failed,
      rssBytesPerClient: (after.rss - before.rss) / added,
      heapBytesPerClient: (after.heapUsed + after.external - before.heapUsed - before.external) / added,
      before,
      after,
    };
    h.log(`  ${contender}: ${fixed(f.rssBytesPerClient / 1024)} kB RSS per idle client (${int(f.clients)} clients${f.failed ? `, ${f.failed} failed: ${opened.firstError}` : ''}), heap + external ${fixed(f.heapBytesPerClient / 1024)} kB`);
    return f;
  } finally {
    await client.stop().catch(() => client.kill());
  }
}

async function memory(server: Child): Promise<Memory> {
  server.send({ type: 'memory' });
  return server.next<Memory>('memory', 60_000);
}

export async function connectionsSection(h: Harness): Promise<SectionResult> {
  if (!pushServiceAvailable()) {
    return { name: 'connections', rows: [{ section: 6, what: 'Memory per idle WebSocket on Carillon’s push service', carillon: 'not available yet', peer: '', ratio: '', goal: '' }], data: null };
  }
  const clients = h.flags.quick ? 100 : 5_000;
  h.log(`connections: ${int(clients)} idle push clients on each server`);
  const figures: ConnectionFigure[] = [];

  const floor = h.child('children/ws-floor.ts', {}, { execArgv: ['--expose-gc'], name: 'bare ws server' });
  const { port } = await floor.next<{ type: string; port: number }>('ready', 60_000);
  try {
    figures.push(await measure(h, 'bare ws', floor, `ws://127.0.0.1:${port}/push/ws`, clients));
  } finally {
    await floor.stop().catch(() => floor.kill());
  }

  // Any seeded store does: the push service keeps its own tables.
  const template = await h.template(h.flags.n);
  const server = await h.startServer(h.store(h.copyTemplate(template)), { overrides: { pushService: true }, execArgv: ['--expose-gc'], name: 'carillon (push service)' });
  try {
    figures.push(await measure(h, 'carillon', server.child, `${server.base.replace(/^http/, 'ws')}/push/ws`, clients));
  } finally {
    await h.stopServer(server).catch(() => server.child.kill());
  }

  const c = figures.find((f) => f.contender === 'carillon')!;
  const f = figures.find((x) => x.contender === 'bare ws')!;
  // RSS moves in steps (the heap grows into space reserved earlier), so neither growth is
  // exact alone: the larger of the two is the figure, a conservative one.
  const kb = (x: ConnectionFigure) => Math.max(x.rssBytesPerClient, x.heapBytesPerClient) / 1024;
  const rows: Row[] = [
    {
      section: 6,
      what: `Memory per idle WebSocket on Carillon's push service (${int(c.clients)} clients after hello): larger of RSS and heap + external growth / client`,
      carillon: `${fixed(kb(c))} kB (RSS ${fixed(c.rssBytesPerClient / 1024)}, heap + external ${fixed(c.heapBytesPerClient / 1024)})`,
      peer: `bare ws server, hello + uaid map: ${fixed(kb(f))} kB; autopush publishes ~${AUTOPUSH_KB_PER_CLIENT} kB`,
      ratio: `${times(kb(c) / kb(f))} bare ws; ${times(kb(c) / AUTOPUSH_KB_PER_CLIENT)} autopush`,
      goal: '',
    },
  ];
  return { name: 'connections', rows, data: { clients, figures, autopushKbPerClient: AUTOPUSH_KB_PER_CLIENT } };
}

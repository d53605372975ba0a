/**
 * Section 1: encryption and signing, messages per second per core, Carillon against the
 * web-push package and against the machine's crypto floor, on the same subscriptions
 * and payloads (200 bytes and 3 KB).
 */
import type { EncryptionArgs, EncryptionFigure } from '../children/encryption.ts';
import type { Harness } from '../lib/harness.ts';
import { goal, type Row, type SectionResult } from '../lib/report.ts';
import { int, times } from '../lib/stats.ts';

const SIZES = [200, 3_072];

export async function encryptionSection(h: Harness): Promise<SectionResult> {
  const args: EncryptionArgs = { rounds: h.flags.quick ? 1 : 7, slice: h.flags.quick ? 0.1 : 1.5, payloadSizes: SIZES };
  h.log(`encryption: ${args.rounds} rounds of ${args.slice} s per contender and payload size`);
  const child = h.child('children/encryption.ts', args, { name: 'encryption' });
  const { figures, threads } = await child.next<{ type: string; figures: EncryptionFigure[]; threads: number }>('figures', 20 * 60_000);
  const rows: Row[] = [];
  const find = (c: EncryptionFigure['contender'], size: number) => figures.find((f) => f.contender === c && f.payloadBytes === size)!;
  for (const size of SIZES) {
    const label = size >= 1024 ? `${size / 1024} KB` : `${size} B`;
    const carillon = find('carillon', size);
    const peer = find('web-push', size);
    const floor = find('floor', size);
    const pool = find('carillon-pool', size);
    const vsPeer = carillon.perCpuSecond / peer.perCpuSecond;
    const vsFloor = floor.perCpuSecond / carillon.perCpuSecond;
    h.log(`  ${label}: Carillon ${int(carillon.perCpuSecond)}/s, web-push ${int(peer.perCpuSecond)}/s, floor ${int(floor.perCpuSecond)}/s per core; pool ${int(pool.perSecond)}/s`);
    rows.push(
      {
        section: 1,
        what: `Web Push request (RFC 8291 + VAPID), ${label} payload: msg/s per core`,
        carillon: `${int(carillon.perCpuSecond)} msg/s`,
        peer: `web-push generateRequestDetails: ${int(peer.perCpuSecond)} msg/s`,
        ratio: times(vsPeer),
        goal: goal('≥ 4× web-push', vsPeer >= 4),
      },
      {
        section: 1,
        what: `  same, against the crypto floor (P-256 key pair + ECDH per message), ${label}`,
        carillon: `${int(carillon.perCpuSecond)} msg/s`,
        peer: `node:crypto floor: ${int(floor.perCpuSecond)} msg/s`,
        ratio: `floor is ${times(vsFloor)}`,
        goal: goal('within 1.5× of the floor', vsFloor <= 1.5),
      },
      {
        section: 1,
        what: `  Carillon's crypto pool, ${threads} threads, ${label}: msg/s (wall clock)`,
        carillon: `${int(pool.perSecond)} msg/s`,
        peer: `Carillon on 1 thread: ${int(carillon.perSecond)} msg/s (wall clock)`,
        ratio: times(pool.perSecond / carillon.perSecond),
        goal: `ideal ${threads}×, if the machine were otherwise idle`,
      },
    );
  }
  return { name: 'encryption', rows, data: { ...args, figures, threads, subscriptions: 'distinct: 2,000 subscriptions, each with its own P-256 key pair and auth secret' } };
}

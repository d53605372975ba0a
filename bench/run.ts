/**
 * Carillon's benchmarks: `npm run bench [-- --n 1000000] [--only fanout,urgent,journeys,mfa,...] [--quick]`
 * (`--help` lists the sections).
 *
 * Every figure is measured beside a peer in the same run (the web-push package, the
 * machine's crypto floor, a bare server) and reported as a ratio, because absolute
 * rates depend on the machine and on whatever else it is doing. These are benchmarks,
 * not tests: nothing here passes or fails on a duration; goals are reported as met or
 * missed. Progress goes to stderr; stdout gets the markdown table; the JSON goes to
 * bench/results/ (or --json).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { analyticsSection } from './sections/analytics.ts';
import { apiSection } from './sections/api.ts';
import { appPushSection } from './sections/app-push.ts';
import { audienceSection } from './sections/audience.ts';
import { campaignsSection } from './sections/campaigns.ts';
import { connectionsSection } from './sections/connections.ts';
import { encryptionSection } from './sections/encryption.ts';
import { fanoutSection } from './sections/fanout.ts';
import { urgentSection } from './sections/urgent.ts';
import { alertsUrgentSection } from './sections/alerts-urgent.ts';
import { webhooksSection } from './sections/webhooks.ts';
import { alertsAreaSection } from './sections/alerts-area.ts';
import { journeysSection } from './sections/journeys.ts';
import { mfaSection } from './sections/mfa.ts';
import { memorySection } from './sections/memory.ts';
import { REPO_ROOT } from './lib/child.ts';
import { parseFlags, SECTIONS, type SectionName } from './lib/flags.ts';
import { Harness } from './lib/harness.ts';
import { closeApiClient } from './lib/http.ts';
import { describeMachine, machineLine } from './lib/machine.ts';
import { markdownTable, type Row, type SectionResult } from './lib/report.ts';

const RUNNERS: Record<SectionName, { number: number; title: string; run(h: Harness): Promise<SectionResult> }> = {
  encryption: { number: 1, title: 'Encryption and signing', run: encryptionSection },
  fanout: { number: 2, title: 'Fan-out end to end', run: fanoutSection },
  urgent: { number: 3, title: 'Urgent through a crowd', run: urgentSection },
  api: { number: 4, title: 'API', run: apiSection },
  'app-push': { number: 5, title: 'App push', run: appPushSection },
  connections: { number: 6, title: 'Connections', run: connectionsSection },
  audience: { number: 7, title: 'Audience: users, attributes, events and segments', run: audienceSection },
  campaigns: { number: 8, title: 'Campaigns: personalised fan-out and local-time planning', run: campaignsSection },
  analytics: { number: 9, title: 'Analytics: series from the rollups', run: analyticsSection },
  webhooks: { number: 10, title: 'Webhooks: batched throughput to a loopback receiver', run: webhooksSection },
  'alerts-area': { number: 12, title: 'Civic alerts: an area resolved over located users', run: alertsAreaSection },
  alerts: { number: 11, title: 'Civic alerts: an Extreme alert through a crowd', run: alertsUrgentSection },
  journeys: { number: 13, title: 'Journeys: users entering, their timers firing', run: journeysSection },
  mfa: { number: 14, title: 'Push sign-in: challenge → push → signed approval', run: mfaSection },
  memory: { number: 15, title: 'Memory: an idle server, compiled and through tsx', run: memorySection },
};

async function main(): Promise<number> {
  let flags;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const machine = describeMachine();
  const started = new Date();
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  console.log(`Machine: ${machineLine(machine)}`);
  console.log(`Command: ${command}`);
  const commit = gitCommit();
  if (commit) console.log(`Commit: ${commit}`);
  console.log('');

  const h = await Harness.create(flags);
  const onSignal = () => {
    void h.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const results: SectionResult[] = [];
  try {
    for (const name of SECTIONS.filter((s) => flags.only.includes(s))) {
      const runner = RUNNERS[name];
      h.log(`${runner.number}. ${runner.title}`);
      const t0 = performance.now();
      try {
        results.push(await runner.run(h));
      } catch (err) {
        const message = (err as Error).stack ?? String(err);
        h.log(`${runner.title} failed: ${message}`);
        results.push({ name, rows: [{ section: runner.number, what: runner.title, carillon: `failed: ${(err as Error).message.split('\n')[0]}`, peer: '', ratio: '', goal: '' }], data: null, error: message });
      }
      h.log(`${runner.title}: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }
  } finally {
    await h.close();
    await closeApiClient();
  }

  const rows: Row[] = results.flatMap((r) => r.rows);
  console.log(markdownTable(rows));
  console.log('');
  const loadAtEnd = describeMachine().loadAverage;
  console.log(`Load average at end: ${loadAtEnd.join(' / ')}. Ratios compare contenders measured in this run, one after the other.`);

  const file = resolve(flags.json ?? join(REPO_ROOT, 'bench', 'results', `${started.toISOString().replace(/[:.]/g, '-')}.json`));
  mkdirSync(dirname(file), { recursive: true });
  const json = { startedAt: started.toISOString(), finishedAt: new Date().toISOString(), command, commit, machine, loadAverageAtEnd: loadAtEnd, flags, rows, sections: results };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  if (!flags.json) writeFileSync(join(dirname(file), 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
  console.log(`JSON: ${file}`);
  return results.some((r) => r.error) ? 1 : 0;
}

/** The commit measured, with `+dirty` when the working tree has changes; undefined outside a clone. */
function gitCommit(): string | undefined {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return undefined;
  }
}

process.exit(await main());

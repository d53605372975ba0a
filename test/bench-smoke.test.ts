/**
 * The bench must not rot: a tiny run of every section (`--quick --n 300`), checked for a
 * figure in each section's rows and for its JSON file. No duration is asserted (STYLE.md
 * §15: timings belong in the bench's own report).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { test } from 'node:test';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// Fifteen sections start some twenty servers: over five minutes when the shared machine is loaded.
test('npm run bench -- --quick --n 300 prints a figure for every section and writes the JSON', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'carillon-bench-smoke-'));
  try {
    const json = join(dir, 'bench.json');
    const env: NodeJS.ProcessEnv = { ...process.env };
    // The scale-out figure uses the test run's PostgreSQL and Redis rather than starting its own.
    if (process.env.CARILLON_TEST_DATABASE_URL && process.env.CARILLON_TEST_REDIS_URL) {
      env.CARILLON_BENCH_DATABASE_URL = process.env.CARILLON_TEST_DATABASE_URL;
      env.CARILLON_BENCH_REDIS_URL = process.env.CARILLON_TEST_REDIS_URL;
    }
    const { code, stdout, stderr } = await run(['--quick', '--n', '300', '--json', json], env);
    assert.equal(code, 0, `the bench failed:\n${stdout}\n${stderr.slice(-4000)}`);

    assert.match(stdout, /^Machine: .+, \d+ cores, .*Node v\d+/m, 'the machine is printed');
    const rows = stdout
      .split('\n')
      .filter((line) => /^\| \d+ \|/.test(line))
      .map((line) => line.slice(2, -2).split(' | '));
    for (const section of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13]) {
      const mine = rows.filter((r) => r[0] === String(section));
      assert.ok(mine.length > 0, `section ${section} has a row in:\n${stdout}`);
      for (const [, what, carillon = '', peer = '', ratio = ''] of mine) {
        if ((section === 5 || section === 6) && carillon === 'not available yet') continue;
        // Section 7 says which figure waits for a route not built yet, rather than make one up.
        if (section === 7 && carillon.startsWith('not measured: ')) {
          assert.match(peer, /\d/, `section 7 "${what}": the peer is measured even so, got "${peer}"`);
          continue;
        }
        // A seed's time (sections 7 and 9) has no peer and no goal.
        if ((section === 7 || section === 9) && what?.startsWith('Seed ')) {
          assert.match(carillon, /\d/, `section ${section} "${what}": the seed's time, got "${carillon}"`);
          continue;
        }
        assert.match(carillon, /\d/, `section ${section} "${what}": Carillon's figure is a number, got "${carillon}"`);
        assert.match(peer, /\d/, `section ${section} "${what}": the peer's figure is a number, got "${peer}"`);
        assert.match(ratio, /\d/, `section ${section} "${what}": a ratio, got "${ratio}"`);
      }
    }

    assert.ok(existsSync(json), 'the JSON file is written where --json says');
    const written = JSON.parse(readFileSync(json, 'utf8'));
    assert.equal(written.rows.length, rows.length, 'the JSON holds the rows of the table');
    assert.equal(typeof written.machine.cpu, 'string');
    // Both engines sized each audience as the full scan did: a size that differs is printed, and is a defect.
    const audience = written.sections.find((s: { name: string }) => s.name === 'audience');
    const counts = audience.data.counts as { engine: string; key: string; carillon: unknown; scan: unknown }[];
    assert.deepEqual(
      counts.map((c) => `${c.engine} ${c.key}`),
      ['SQLite a', 'SQLite b', 'SQLite c', 'PostgreSQL a', 'PostgreSQL b', 'PostgreSQL c'],
    );
    for (const c of counts) assert.deepEqual(c.carillon, c.scan, `${c.engine} (${c.key}): countAudience and the full scan agree`);
    // The seed is the same function of the row number on both engines.
    for (const key of ['a', 'b', 'c']) {
      const [sqlite, postgres] = ['SQLite', 'PostgreSQL'].map((e) => counts.find((c) => c.engine === e && c.key === key)!.carillon);
      assert.deepEqual(postgres, sqlite, `(${key}): the same size on SQLite and PostgreSQL`);
    }
    assert.deepEqual(
      written.sections.map((s: { name: string }) => s.name),
      ['encryption', 'fanout', 'urgent', 'api', 'app-push', 'connections', 'audience', 'campaigns', 'analytics', 'webhooks', 'alerts', 'alerts-area', 'journeys', 'mfa', 'memory'],
    );
    // Section 15: an idle server's RSS, compiled and through tsx.
    const memoryRows = rows.filter((r) => r[0] === '15');
    assert.ok(memoryRows.length > 0, `section 15 has a row in:\n${stdout}`);
    // A build older than the sources is not measured, and the row says so (a developer's tree between edits and `npm run build`).
    for (const [, what, carillon = ''] of memoryRows) assert.match(carillon, /\d|^not measured: dist\/ is older than src\//, `section 15 "${what}": a figure, got "${carillon}"`);
    // Section 14: every sign-in went the whole way (push decrypted by the Firefox-like client, signed answer, approved) in both phases.
    const mfaRows = rows.filter((r) => r[0] === '14');
    assert.equal(mfaRows.length, 2, 'section 14 has its idle and its broadcast row');
    for (const [, what, carillon = '', peer = '', ratio = ''] of mfaRows) for (const cell of [carillon, peer, ratio]) assert.match(cell, /\d/, `section 14 "${what}": a figure, got "${cell}"`);
    const mfa = written.sections.find((s: { name: string }) => s.name === 'mfa');
    for (const phase of ['idle', 'crowd'] as const) {
      const f = mfa.data[phase];
      assert.ok(f.count > 0, `${phase}: sign-ins ran`);
      assert.deepEqual([f.approved, f.lost, f.push.count], [f.count, 0, f.count], `${phase}: every sign-in approved after its push arrived (${f.firstError ?? 'no error'})`);
    }
    assert.deepEqual(mfa.data.deviceErrors, [], 'no device failed to decrypt, read or answer');
    // Section 8's figure is of personal messages: the titles the sink got are the ones each user's language, name and city make.
    const campaigns = written.sections.find((s: { name: string }) => s.name === 'campaigns');
    const sampled = campaigns.data.fanout.sampled as { i: number; expected: string; got: string }[];
    assert.ok(sampled.length >= 4, 'subscriptions of every language are sampled');
    for (const s of sampled) assert.equal(s.got, s.expected, `f${s.i}: the title the sink got`);
    assert.deepEqual(
      campaigns.data.plans.map((p: { engine: string; zonesPlanned: number; audienceZones: number }) => [p.engine, p.zonesPlanned === p.audienceZones]),
      [
        ['SQLite', true],
        ['PostgreSQL', true],
      ],
      'every zone of the audience is planned in one wave, on both engines',
    );
    // Section 13's steps are counted from the journey's stats: every user's run went the whole way, and every send reached the sink.
    const journeys = written.sections.find((s: { name: string }) => s.name === 'journeys');
    assert.deepEqual(
      journeys.data.figures.map((f: { engine: string; journey?: { steps: number; pushes: number; valid: boolean }; queue?: { n: number } }) => [f.engine, f.journey?.steps, f.journey?.pushes, f.journey?.valid, f.queue?.n]),
      [
        ['SQLite', 5 * 300, 300, true, 300],
        ['PostgreSQL + Redis', 5 * 300, 300, true, 300],
      ],
      'every run of both engines made its five steps, and the bare queue ran its 300 jobs',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * The compiled server (`npm run build`, run by `npm install`): bin/carillon.js runs dist/
 * while it was built from the sources as they are, and src/ through tsx otherwise. Each
 * test works on a copy of the repository (test/cli/install-copy.ts), so that it can edit
 * sources and leave tsx out without touching this checkout.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { http, runCarillon, startServerProcess } from '../support/process.ts';
import { startPushSink } from '../support/push-sink.ts';
import { copyInstall, type InstallCopy } from './install-copy.ts';

const copies: InstallCopy[] = [];
after(() => {
  for (const copy of copies) copy.remove();
});

/** A line the copy's dist/main.js or src/main.ts writes first, to tell which of them ran. */
const mark = (where: string) => `process.stderr.write('ran: ${where}\\n');\n`;

describe('an install with no TypeScript loader (tsx left out)', () => {
  const copy = copyInstall({ without: ['tsx'] });
  copies.push(copy);

  test('the compiled server starts, answers /healthz, and its crypto threads encrypt a notification that is delivered', async () => {
    await copy.build();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'carillon-compiled-'));
    const sink = await startPushSink();
    const admin = 'crl_ak_compiled_test_admin_key';
    const server = await startServerProcess({ CARILLON_DATA_DIR: dataDir, CARILLON_ADMIN_KEY: admin, CARILLON_ALLOW_PRIVATE_ENDPOINTS: 'true' }, { bin: copy.bin });
    try {
      const health = await fetch(`${server.url}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok' });
      const app = (await http(`${server.url}/v1/apps`, 'POST', admin, { name: 'compiled' })).body;
      const sub = sink.subscribe();
      assert.equal((await http(`${server.url}/v1/apps/${app.id}/subscriptions`, 'POST', app.publishableKey, { channel: 'webpush', endpoint: sub.endpoint, keys: sub.keys })).status, 201);
      // The client is this checkout's command: what is tested is the server's delivery.
      const sent = await runCarillon(['send', '--server', server.url, '--app', app.id, '--all', '--title', 'Built', '--body', 'from dist', '--no-wait'], { CARILLON_API_KEY: app.secretKey });
      assert.equal(sent.code, 0, sent.stderr);
      // Wide: a loaded machine; a thread that cannot load would never deliver it.
      const pushes = await sink.waitFor(1, 60_000).catch((err: Error) => assert.fail(`${err.message}\n${server.output()}`));
      const got = pushes.map((r) => (r.json as { notification: { title: string; body: string } }).notification);
      assert.deepEqual(got.map((n) => [n.title, n.body]), [['Built', 'from dist']]);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      await sink.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('compiled crypto threads start under node flags a thread may not take (--max-old-space-size), with source maps on', async () => {
    if (!existsSync(path.join(copy.root, 'dist', 'build.json'))) await copy.build();
    const pool = pathToFileURL(path.join(copy.root, 'dist', 'providers', 'webpush', 'crypto-pool.js')).href;
    const script = `
      process.setSourceMapsEnabled(true);
      const { createECDH, randomBytes } = await import('node:crypto');
      const { CryptoPool } = await import(${JSON.stringify(pool)});
      const pool = new CryptoPool(1, 1);
      const hold = setInterval(() => {}, 1000);
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const keys = [{ p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url'), plaintext: 0 }];
      const bodies = [...(await pool.encryptEach([Buffer.from('hello')], keys)), ...(await pool.encryptEach([Buffer.from('hello')], keys, { urgent: true }))];
      process.stdout.write(bodies.map((b) => (b instanceof Uint8Array ? b.length : b)).join(' '));
      clearInterval(hold);
      await pool.close();`;
    const res = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--max-old-space-size=256', '--input-type=module', '-e', script], { timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }));
    });
    assert.equal(res.code, 0, res.stderr);
    // RFC 8291: a 86-byte header and record overhead around the 5 bytes of "hello".
    assert.deepEqual(res.stdout.split(' ').map(Number), [108, 108]);
  });

  test('with the build stale and no tsx to run the sources, the command says to build and exits 1', async () => {
    appendFileSync(path.join(copy.root, 'src', 'main.ts'), '\n// edited\n');
    const res = await copy.run(['vapid', 'generate']);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /tsx is not installed to run them: run `npm run build`/);
    assert.equal(res.stdout, '');
  });
});

describe('an install with tsx', () => {
  const copy = copyInstall();
  copies.push(copy);
  const main = path.join(copy.root, 'src', 'main.ts');
  const original = readFileSync(main, 'utf8');

  test('the build runs while the sources match it, by content: an edit, a new file or no manifest runs the sources, an edit undone the build again', async () => {
    const manifest = await copy.build();
    // Modules outside src/ that src/ imports are compiled too, and count as sources.
    assert.ok(manifest.outside.includes('sdk/build.ts'), manifest.outside.join(', '));
    const built = path.join(copy.root, 'dist', 'main.js');
    // Not a source: marking the output leaves the build as fresh as it was.
    writeFileSync(built, mark('dist') + readFileSync(built, 'utf8'));
    const ran = async () => {
      const res = await copy.run(['vapid', 'generate']);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(Buffer.from(JSON.parse(res.stdout).publicKey, 'base64url').length, 65);
      return res.stderr.match(/^ran: (\w+)$/m)?.[1] ?? 'sources, unmarked';
    };
    assert.equal(await ran(), 'dist');

    writeFileSync(main, mark('src') + original);
    assert.equal(await ran(), 'src');

    // Undone, with a newer mtime than the build: the content is what counts.
    writeFileSync(main, original);
    const later = new Date(Date.now() + 60_000);
    utimesSync(main, later, later);
    assert.equal(await ran(), 'dist');

    const added = path.join(copy.root, 'src', 'added.ts');
    writeFileSync(added, 'export const added = 1;\n');
    assert.equal(await ran(), 'sources, unmarked');
    unlinkSync(added);
    assert.equal(await ran(), 'dist');

    // A source outside src/ that the build compiled (the SDK's build) counts too.
    const sdkBuild = path.join(copy.root, 'sdk', 'build.ts');
    const sdkOriginal = readFileSync(sdkBuild, 'utf8');
    appendFileSync(sdkBuild, '\n// edited\n');
    assert.equal(await ran(), 'sources, unmarked');
    writeFileSync(sdkBuild, sdkOriginal);
    assert.equal(await ran(), 'dist');

    unlinkSync(path.join(copy.root, 'dist', 'build.json'));
    assert.equal(await ran(), 'sources, unmarked');
  });

  test('an install that ships dist/ without src/ runs the build', async () => {
    await copy.build();
    const built = path.join(copy.root, 'dist', 'main.js');
    writeFileSync(built, mark('dist') + readFileSync(built, 'utf8'));
    renameSync(path.join(copy.root, 'src'), path.join(copy.root, 'src-elsewhere'));
    try {
      const res = await copy.run(['vapid', 'generate']);
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stderr, /^ran: dist$/m);
    } finally {
      renameSync(path.join(copy.root, 'src-elsewhere'), path.join(copy.root, 'src'));
    }
  });

  test('a build that fails leaves the previous one in place and nothing half-written', async () => {
    await copy.build();
    const manifest = readFileSync(path.join(copy.root, 'dist', 'build.json'), 'utf8');
    writeFileSync(path.join(copy.root, 'src', 'broken.ts'), 'export const = ;\n');
    try {
      await assert.rejects(copy.build(), /Expected identifier/);
      assert.equal(readFileSync(path.join(copy.root, 'dist', 'build.json'), 'utf8'), manifest);
      assert.ok(!existsSync(`${path.join(copy.root, 'dist')}.building-${process.pid}`));
    } finally {
      unlinkSync(path.join(copy.root, 'src', 'broken.ts'));
    }
  });

  test("the build's source maps name the lines of src/ in a stack trace", async () => {
    await copy.build();
    process.setSourceMapsEnabled(true);
    const { encryptWebPush } = (await import(pathToFileURL(path.join(copy.root, 'dist', 'protocol', 'webpush', 'ece.js')).href)) as typeof import('../../src/protocol/webpush/ece.ts');
    const thrown = (() => {
      try {
        encryptWebPush({ plaintext: Buffer.from('x'), uaPublic: Buffer.alloc(3), authSecret: Buffer.alloc(16) });
      } catch (err) {
        return err as Error;
      }
      return new Error('encryptWebPush took a 3-byte key');
    })();
    const source = readFileSync(path.join(copy.root, 'src', 'protocol', 'webpush', 'ece.ts'), 'utf8').split('\n');
    const frame = /\((.+[\\/]src[\\/]protocol[\\/]webpush[\\/]ece\.ts):(\d+):\d+\)/.exec(thrown.stack ?? '');
    assert.ok(frame, thrown.stack);
    assert.equal(frame[1], path.join(copy.root, 'src', 'protocol', 'webpush', 'ece.ts'));
    assert.match(source[Number(frame[2]) - 1]!, /throw/);
  });
});

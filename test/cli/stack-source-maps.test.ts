/**
 * The compiled server's stack traces (bin/stack-source-maps.js): a frame in dist/ names
 * the line of src/ it was compiled from, read from the build's source map only when a
 * stack trace passes through it, and every other frame is left as V8 writes it.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { copyInstall } from './install-copy.ts';

const copy = copyInstall();
after(() => copy.remove());

test('a stack trace through the compiled server names the lines of src/, with no source map loaded before it', async () => {
  await copy.build();
  const url = (file: string) => JSON.stringify(pathToFileURL(path.join(copy.root, file)).href);
  const script = `
    const { mapStackTraces } = await import(${url('bin/stack-source-maps.js')});
    mapStackTraces(new URL(${url('dist/')}));
    const { encryptWebPush } = await import(${url('dist/protocol/webpush/ece.js')});
    const { findSourceMap } = await import('node:module');
    const loaded = findSourceMap(new URL(${url('dist/protocol/webpush/ece.js')}).href) !== undefined;
    try {
      encryptWebPush({ plaintext: Buffer.from('x'), uaPublic: Buffer.alloc(3), authSecret: Buffer.alloc(16) });
    } catch (err) {
      process.stdout.write(JSON.stringify({ loaded, sourceMaps: process.sourceMapsEnabled, stack: err.stack }));
    }`;
  const res = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }));
  });
  assert.equal(res.code, 0, res.stderr);
  const { loaded, sourceMaps, stack } = JSON.parse(res.stdout) as { loaded: boolean; sourceMaps: boolean; stack: string };
  assert.equal(sourceMaps, false, "Node's own source maps stay off");
  assert.equal(loaded, false, 'no map is read as a module loads');
  const lines = stack.split('\n');
  assert.equal(lines[0], 'InvalidKeyError: the subscription public key is not a 65-byte uncompressed P-256 point');
  const frame = /^ {4}at computeSecret \((.+):(\d+):(\d+)\)$/.exec(lines[1] ?? '');
  assert.ok(frame, stack);
  assert.equal(frame[1], path.join(copy.root, 'src', 'protocol', 'webpush', 'ece.ts'));
  const source = readFileSync(frame[1]!, 'utf8').split('\n');
  // The line and column Node's own source maps give: the error's construction.
  assert.match(source[Number(frame[2]) - 1]!, /throw new InvalidKeyError/);
  assert.match(source[Number(frame[2]) - 1]!.slice(Number(frame[3]) - 1), /^new InvalidKeyError/);
  assert.match(lines[2]!, /^ {4}at encryptWebPush \(.+[\\/]src[\\/]protocol[\\/]webpush[\\/]ece\.ts:\d+:\d+\)$/);
  // The script's own frame is in no build: as V8 wrote it.
  assert.match(lines[3]!, /^ {4}at file:\/\/.*\[eval1\]:\d+:\d+$/);
});

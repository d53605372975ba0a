import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXCEPTIONS, FLOORS, PLACEMENTS, floorOf, folderCycles, importsOf, readImports, sourceFiles, specifiersIn, stale, violations, type Floor } from './floors.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const files = sourceFiles(repoRoot);
const imports = readImports(repoRoot, files);

test('every source file of src/ is on a floor', () => {
  assert.ok(files.length > 100, `found the sources (${files.length})`);
  assert.deepEqual(files.filter((f) => floorOf(f) === undefined), [], 'add their folder to FLOORS in test/architecture/floors.ts');
});

test('no import runs up a floor', () => {
  assert.ok(imports.length > 300, `found the imports (${imports.length})`);
  const found = violations(imports);
  assert.deepEqual(found, [], `imports that run up (ask through an interface the lower floor owns):\n${found.join('\n')}`);
});

test('no two folders import each other', () => {
  const found = folderCycles(imports);
  assert.deepEqual(found, [], `folders in a loop:\n${found.join('\n')}`);
});

test('every exception and placement still holds something, with a reason', () => {
  assert.deepEqual(stale(imports, files), []);
  for (const e of [...EXCEPTIONS, ...PLACEMENTS]) assert.ok(e.reason.length > 10, `a reason for ${JSON.stringify(e)}`);
  for (const p of PLACEMENTS) assert.ok(FLOORS.some((f) => f.name === p.floor), `${p.path} is placed on a floor that exists`);
});

test('the table names each floor and each path once', () => {
  const names = FLOORS.map((f) => f.name);
  assert.equal(new Set(names).size, names.length);
  const paths = FLOORS.flatMap((f) => f.paths);
  assert.deepEqual(paths.filter((p, i) => paths.indexOf(p) !== i), []);
});

// The check itself, fed imports made up for it: it must catch what it is for.

const floors: Floor[] = [
  { name: 'foundation', paths: ['src/store'], why: '' },
  { name: 'protocol', paths: ['src/protocol'], why: '' },
  { name: 'transport', paths: ['src/transport'], why: '' },
  { name: 'delivery', paths: ['src/delivery'], why: '' },
  { name: 'http', paths: ['src/http'], why: '' },
  { name: 'entry', paths: ['src/runtime.ts'], why: '' },
];

test('an import of a higher floor is reported as file -> import (floor a is above floor b)', () => {
  const found = violations(
    [
      { from: 'src/protocol/webpush/ece.ts', to: 'src/transport/push-transport.ts' },
      { from: 'src/store/schema.ts', to: 'src/runtime.ts' },
      { from: 'src/delivery/fanout.ts', to: 'src/http/cursor.ts' },
    ],
    floors,
    [],
    [],
  );
  assert.deepEqual(found, [
    'src/protocol/webpush/ece.ts -> src/transport/push-transport.ts (floor transport is above floor protocol)',
    'src/store/schema.ts -> src/runtime.ts (floor entry is above floor foundation)',
    'src/delivery/fanout.ts -> src/http/cursor.ts (floor http is above floor delivery)',
  ]);
});

test('imports down, across one floor, and out of src/ pass', () => {
  const found = violations(
    [
      { from: 'src/http/routes/apps.ts', to: 'src/store/schema.ts' },
      { from: 'src/delivery/deliver.ts', to: 'src/delivery/batches.ts' },
      { from: 'src/transport/http2-pool.ts', to: 'src/protocol/webpush/base64url.ts' },
      { from: 'src/runtime.ts', to: 'src/http/problem.ts' },
      { from: 'src/store/schema.ts', to: 'sdk/build.ts' },
    ],
    floors,
    [],
    [],
  );
  assert.deepEqual(found, []);
});

test('an exception lets its one import through; a placement moves a file to another floor', () => {
  const up = [
    { from: 'src/delivery/fanout.ts', to: 'src/http/cursor.ts' },
    { from: 'src/delivery/deliver.ts', to: 'src/http/cursor.ts' },
  ];
  const exception = [{ from: 'src/delivery/fanout.ts', to: 'src/http/cursor.ts', reason: 'moving' }];
  assert.deepEqual(violations(up, floors, exception, []), ['src/delivery/deliver.ts -> src/http/cursor.ts (floor http is above floor delivery)']);
  assert.deepEqual(violations(up, floors, [], [{ path: 'src/http/cursor.ts', floor: 'foundation', reason: 'moving' }]), []);
});

test('an exception whose import is gone, or a placement whose file is gone, is reported stale', () => {
  const exception = [{ from: 'src/delivery/fanout.ts', to: 'src/http/cursor.ts', reason: 'moving' }];
  const placement = [{ path: 'src/http/cursor.ts', floor: 'foundation', reason: 'moving' }];
  assert.deepEqual(stale([], ['src/delivery/fanout.ts'], exception, placement), [
    'exception src/delivery/fanout.ts -> src/http/cursor.ts is no longer needed: delete it',
    'placement of src/http/cursor.ts is no longer needed (the file is gone): delete it',
  ]);
  assert.deepEqual(stale([{ from: 'src/delivery/fanout.ts', to: 'src/http/cursor.ts' }], ['src/http/cursor.ts'], exception, placement), []);
});

test('every form of import is read, types included, and resolved from the importing file', () => {
  const text = [
    "import { a } from '../store/a.ts';",
    "import type { B } from './b.ts';",
    "import * as c from '../../src/http/c.ts';",
    "export { d } from '../transport/d.ts';",
    "export * from './e.ts';",
    "import f = require('../protocol/f.ts');",
    "const g = await import('../runtime.ts');",
    "type H = typeof import('../http/h.ts');",
    "import pino from 'pino';",
    "import './side-effect.ts';",
    '// import { no } from "../commented.ts";',
    "const s = \"import { no } from '../in-a-string.ts'\";",
  ].join('\n');
  assert.deepEqual(specifiersIn('x.ts', text), ['../store/a.ts', './b.ts', '../../src/http/c.ts', '../transport/d.ts', './e.ts', '../protocol/f.ts', '../runtime.ts', '../http/h.ts', 'pino', './side-effect.ts']);
  assert.deepEqual(
    importsOf('src/delivery/x.ts', text).map((i) => i.to),
    ['src/store/a.ts', 'src/delivery/b.ts', 'src/http/c.ts', 'src/transport/d.ts', 'src/delivery/e.ts', 'src/protocol/f.ts', 'src/runtime.ts', 'src/http/h.ts', 'src/delivery/side-effect.ts'],
  );
  assert.deepEqual(violations(importsOf('src/delivery/x.ts', text), floors, [], []), [
    'src/delivery/x.ts -> src/http/c.ts (floor http is above floor delivery)',
    'src/delivery/x.ts -> src/runtime.ts (floor entry is above floor delivery)',
    'src/delivery/x.ts -> src/http/h.ts (floor http is above floor delivery)',
  ]);
});

test('folders in a loop are reported, however long the loop; an exception breaks it', () => {
  const loop = [
    { from: 'src/notifications/notifications.ts', to: 'src/analytics/engagement-counts.ts' },
    { from: 'src/analytics/engagement-counts.ts', to: 'src/audience/segments.ts' },
    { from: 'src/audience/segments.ts', to: 'src/notifications/target.ts' },
    { from: 'src/notifications/notifications.ts', to: 'src/store/schema.ts' },
  ];
  assert.deepEqual(folderCycles(loop, [], []), ['src/analytics -> src/audience -> src/notifications -> src/analytics']);
  assert.deepEqual(folderCycles(loop, [], [{ path: 'src/notifications/target.ts', floor: 'foundation', reason: 'moving' }]), [], 'a placed file stands on its own');
  assert.deepEqual(folderCycles(loop, [{ from: 'src/audience/segments.ts', to: 'src/notifications/target.ts', reason: 'moving' }], []), []);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Floors run one way (http → features → delivery → providers → transport → protocol;
 * store, queue, config and errors below all): the message model, shared by the API and
 * the providers, stands on store and errors alone, and nothing below http reaches up
 * into it.
 */
const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(folder: string): string[] {
  return readdirSync(join(SRC, folder), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

/** The src/ folders a file imports from (first path segment under src/). */
function importedFolders(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]/gm)].map((m) => m[1]!);
  return specs.map((s) => relative(SRC, resolve(dirname(file), s)).split(/[\\/]/)[0]!);
}

test('the message model imports only itself, store and errors', () => {
  for (const file of sourceFiles('message')) {
    for (const folder of importedFolders(file)) assert.ok(['message', 'store', 'errors'].includes(folder), `${relative(SRC, file)} imports from ${folder}/`);
  }
});

test('store, subscriptions, notifications and apps never import from http/', () => {
  for (const area of ['store', 'subscriptions', 'notifications', 'apps', 'message']) {
    for (const file of sourceFiles(area)) assert.ok(!importedFolders(file).includes('http'), `${relative(SRC, file)} imports from http/`);
  }
});

test('the store imports nothing above it', () => {
  for (const file of sourceFiles('store')) {
    for (const folder of importedFolders(file)) assert.ok(['store', 'errors', 'config'].includes(folder), `${relative(SRC, file)} imports from ${folder}/`);
  }
});

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The files whose content makes the compiled server: everything under src/ but the unit
 * tests, the build recipe and tsconfig.json, then `extra` (modules outside src/ that src/
 * imports, which the build lists in its manifest). Paths are relative to `root`, with `/`.
 */
export function sourceFiles(root, extra = []) {
  const src = readdirSync(path.join(root, 'src'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.endsWith('.test.ts'))
    .map((e) => path.relative(root, path.join(e.parentPath ?? e.path, e.name)).split(path.sep).join('/'));
  return [...new Set([...src, 'scripts/build-server.ts', 'tsconfig.json', ...extra])].sort();
}

/**
 * One SHA-256 over the names and contents of `files`: the build records it, and a start
 * runs the build only while the sources still give the same digest. Content, not mtimes,
 * so a checkout that touches every file leaves a build valid, and a file copied in with an
 * old mtime still makes it stale. A missing file gives a digest no build has.
 */
export function sourceDigest(root, files) {
  return combinedDigest(fileDigests(root, files));
}

/** Each file's SHA-256, as `[file, hex]`. */
export function fileDigests(root, files) {
  return files.map((file) => {
    let content;
    try {
      content = readFileSync(path.join(root, file));
    } catch {
      content = Buffer.from('\0missing');
    }
    return [file, createHash('sha256').update(content).digest('hex')];
  });
}

/** The digest of files hashed by fileDigests(), in any order. */
export function combinedDigest(digests) {
  const all = createHash('sha256');
  for (const [file, hex] of [...digests].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) all.update(`${file}\0${hex}\n`);
  return all.digest('hex');
}

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sourceDigest, sourceFiles } from './source-digest.js';

/**
 * The URL of dist/main.js under `rootUrl` when dist/build.json records the digest that the
 * sources give now (scripts/build-server.ts writes it), else null: no build, a build in
 * progress or interrupted (no manifest yet), or sources changed since. An install that
 * ships dist/ without src/ has nothing the build could be older than: it runs the build.
 */
export function freshBuild(rootUrl) {
  const root = fileURLToPath(rootUrl);
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(new URL('dist/build.json', rootUrl), 'utf8'));
  } catch {
    return null;
  }
  if (typeof manifest?.digest !== 'string' || !Array.isArray(manifest.outside)) return null;
  if (!existsSync(new URL('src', rootUrl))) return new URL('dist/main.js', rootUrl);
  return sourceDigest(root, sourceFiles(root, manifest.outside)) === manifest.digest ? new URL('dist/main.js', rootUrl) : null;
}

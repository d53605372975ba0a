/** Test helper: the real CAP samples and the OASIS schema in ../shared/vectors/cap. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root is the nearest folder above this file holding package.json. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above this file');
    dir = parent;
  }
  return dir;
}

/** `shared/vectors/cap` beside the repository, or beside a folder above it (a checkout kept one level deeper). */
function vectorsFolder(): string {
  let dir = dirname(repoRoot());
  for (;;) {
    const candidate = join(dir, 'shared', 'vectors', 'cap');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return resolve(repoRoot(), '../shared/vectors/cap');
    dir = parent;
  }
}

export const CAP_VECTORS = vectorsFolder();

/** The sample whose file name starts with `prefix` (`'02'`), as bytes. */
export function capSample(prefix: string): Buffer {
  const name = capSampleNames().find((n) => n.startsWith(prefix));
  if (!name) throw new Error(`no CAP sample ${prefix}`);
  return readFileSync(join(CAP_VECTORS, name));
}

export function capSampleNames(): string[] {
  return readdirSync(CAP_VECTORS).filter((n) => n.endsWith('.xml')).sort();
}

export function capSchema(): string {
  return readFileSync(join(CAP_VECTORS, 'cap12.xsd'), 'utf8');
}

/**
 * Builds the reply page's script (public/reply/src/page.ts) with esbuild, in memory, as the
 * authenticator's are (public/authenticator/build.ts): the server serves what is in the tree.
 *
 *   npx tsx public/reply/build.ts     writes public/reply/dist/reply.js
 * for installs without the dev dependencies (esbuild), which then serve that file.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export const REPLY_PAGE_DIR = here;

export async function buildReplyScript(): Promise<string> {
  const { build } = await import('esbuild');
  // ES2020 runs in every browser the reply page is opened in (Firefox ESR, Safari 16.4, Chromium).
  const out = await build({ entryPoints: [path.join(here, 'src/page.ts')], bundle: true, minify: true, write: false, target: ['es2020'], format: 'esm', legalComments: 'none', logLevel: 'silent' });
  return out.outputFiles[0]!.text;
}

/** The script from dist/, written by running this file, where esbuild is not installed. */
export function readBuiltReplyScript(): string {
  return readFileSync(path.join(here, 'dist', 'reply.js'), 'utf8');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  mkdirSync(path.join(here, 'dist'), { recursive: true });
  writeFileSync(path.join(here, 'dist', 'reply.js'), await buildReplyScript());
  console.log('built public/reply/dist');
}

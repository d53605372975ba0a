/**
 * Builds the reference authenticator (public/authenticator/) and the example login page
 * (examples/login/) from their TypeScript with esbuild, in memory: the server serves what
 * is in the tree with no build step, as it does the SDK (src/sdk/sdk-assets.ts).
 *
 *   npx tsx public/authenticator/build.ts     writes public/authenticator/dist/ and examples/login/dist/
 * for installs without the dev dependencies (esbuild), which then serve those files.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const EXAMPLES_LOGIN_DIR = path.resolve(here, '../../examples/login');

/** The built scripts of each page, as text, by file name. */
export interface BuiltPages {
  authenticator: Record<'authenticator.js' | 'sw.js', string>;
  login: Record<'login.js', string>;
}

export async function buildPages(): Promise<BuiltPages> {
  const { build } = await import('esbuild');
  const one = async (entry: string, format: 'esm' | 'iife') => {
    // ES2020 runs in every browser with Web Push and WebCrypto's P-256 (Firefox ESR, Chromium, Safari 16.4).
    const out = await build({ entryPoints: [entry], bundle: true, minify: true, write: false, target: ['es2020'], format, legalComments: 'none', logLevel: 'silent' });
    return out.outputFiles[0]!.text;
  };
  const [page, worker, login] = await Promise.all([
    one(path.join(here, 'src/page.ts'), 'esm'),
    // A classic worker script: Firefox ESR 140 has no module service workers.
    one(path.join(here, 'src/sw.ts'), 'iife'),
    one(path.join(EXAMPLES_LOGIN_DIR, 'login.ts'), 'esm'),
  ]);
  return { authenticator: { 'authenticator.js': page, 'sw.js': worker }, login: { 'login.js': login } };
}

/** The scripts from dist/, written by running this file, where esbuild is not installed. */
export function readBuiltPages(): BuiltPages {
  const read = (dir: string, name: string) => readFileSync(path.join(dir, 'dist', name), 'utf8');
  return { authenticator: { 'authenticator.js': read(here, 'authenticator.js'), 'sw.js': read(here, 'sw.js') }, login: { 'login.js': read(EXAMPLES_LOGIN_DIR, 'login.js') } };
}

export const AUTHENTICATOR_DIR = here;

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const built = await buildPages();
  for (const [dir, files] of [[here, built.authenticator], [EXAMPLES_LOGIN_DIR, built.login]] as const) {
    mkdirSync(path.join(dir, 'dist'), { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, 'dist', name), text);
  }
  console.log('built public/authenticator/dist and examples/login/dist');
}

/**
 * Builds the browser SDK: `dist/carillon.js` (an ES module for the site's pages) and
 * `dist/carillon-sw.js` (a classic script, so a site can `importScripts()` it into a service
 * worker of its own). The Carillon server serves the same two files at /sdk/, building them
 * in memory with `buildSdk()` when it can.
 *
 *   npx tsx sdk/build.ts        writes sdk/dist/
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));

export const SDK_FILES = ['carillon.js', 'carillon-sw.js'] as const;
export type SdkFile = (typeof SDK_FILES)[number];

const common: BuildOptions = {
  bundle: true,
  minify: true,
  write: false,
  // Every browser with Web Push (Safari 16.4, Chrome 50+, Firefox 44+) runs ES2020.
  target: ['es2020'],
  legalComments: 'none',
  logLevel: 'silent',
};

/** The two files as text, built from sdk/src. */
export async function buildSdk(): Promise<Record<SdkFile, string>> {
  const [page, worker] = await Promise.all([
    build({ ...common, entryPoints: [path.join(here, 'src/index.ts')], format: 'esm' }),
    build({ ...common, entryPoints: [path.join(here, 'src/sw.ts')], format: 'iife' }),
  ]);
  return { 'carillon.js': page.outputFiles![0]!.text, 'carillon-sw.js': worker.outputFiles![0]!.text };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const files = await buildSdk();
  const dist = path.join(here, 'dist');
  mkdirSync(dist, { recursive: true });
  for (const name of SDK_FILES) {
    writeFileSync(path.join(dist, name), files[name]);
    console.log(`sdk/dist/${name}  ${(Buffer.byteLength(files[name]) / 1024).toFixed(1)} KiB`);
  }
}

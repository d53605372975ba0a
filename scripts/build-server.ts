/**
 * Compiles the server (src/) to JavaScript in dist/: `npm run build`, and at the end of
 * `npm install` / `npm ci` (the root `postinstall`). bin/carillon.js runs dist/main.js while
 * dist/build.json holds the digest of the sources it was built from (bin/source-digest.js),
 * and src/ through tsx otherwise: an edit to src/ is never hidden behind an older build.
 *
 * Run compiled, a server holds no TypeScript loader, and its crypto threads load a few
 * small modules rather than a compiler each (bench section 15 measures what that saves).
 *
 * The layout keeps every file where its own relative paths expect it: src/x/y.ts becomes
 * dist/x/y.js (so `../../package.json` or `../../../dashboard/dist` from a file under src/
 * still reach the same files), and the few modules outside src/ that src/ imports
 * (sdk/build.ts, public/authenticator/build.ts) go under dist/_/ with `import.meta.url`
 * naming their source file. Each file keeps its imports (packages stay in node_modules),
 * with a source map, so a stack trace names the line in src/.
 *
 * But for VENDORED: packages of some hundreds of small ES modules each, which cost the
 * server more as modules than as code (each module's record, namespace and scope are kept
 * for the life of the process). They are bundled into dist/_/vendor/ (one module each, and
 * the chunks they share), and src/ imports them there: Kysely holds 1.2 MB less heap as one
 * module than as its 263, TypeBox 1.2 MB less than as its 218 (bench section 15). An
 * `npm install` builds again (postinstall), so the bundles follow the installed versions.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, version as esbuildVersion, type BuildOptions, type Plugin } from 'esbuild';
import { combinedDigest, fileDigests, sourceFiles } from '../bin/source-digest.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src');

export const MANIFEST = 'build.json';

/** The packages bundled into dist/_/vendor/, by the specifier src/ imports them with. */
const VENDORED: Record<string, string> = {
  kysely: 'kysely',
  '@sinclair/typebox': 'typebox',
  '@sinclair/typebox/compiler': 'typebox-compiler',
  '@sinclair/typebox/value': 'typebox-value',
  jose: 'jose',
  'fast-xml-parser': 'fast-xml-parser',
};
const VENDOR_DIR = path.join('_', 'vendor');

export interface BuildManifest {
  /** sourceDigest() of sourceFiles(root, outside) when the build began. */
  digest: string;
  /** Modules outside src/ that the build compiled, relative to the repository. */
  outside: string[];
  esbuild: string;
}

/** Where a source file's compiled form goes, relative to the output folder. */
function outputOf(file: string): string {
  const inSrc = path.relative(src, file);
  const rel = inSrc.startsWith('..') ? path.join('_', path.relative(root, file)) : inSrc;
  return rel.replace(/\.[cm]?ts$/, '.js');
}

const relativeImport = (from: string, to: string): string => {
  const rel = path.relative(path.dirname(from), to).split(path.sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
};

/**
 * Compiles src/ into `outDir` (dist/ by default), replacing what was there only once the
 * whole build has succeeded: a failed or interrupted build leaves the previous one, and a
 * folder without its manifest is never run.
 */
export async function buildServer(outDir = path.join(root, 'dist')): Promise<BuildManifest> {
  const staging = `${outDir}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  // Each file is hashed before esbuild reads it: a source edited during the build leaves a
  // digest that the sources no longer give, so that build is not run.
  const digests = fileDigests(root, sourceFiles(root));
  const entries = readdirSync(src, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => path.join(e.parentPath, e.name));
  // Modules outside src/ are found while compiling src/ and compiled in a later round.
  const outside = new Set<string>();
  const rel = (file: string) => path.relative(root, file).split(path.sep).join('/');
  try {
    const compiled = new Set<string>();
    for (let round = entries; round.length > 0; round = [...outside].filter((f) => !compiled.has(f))) {
      if (round !== entries) digests.push(...fileDigests(root, round.map(rel)));
      for (const f of round) compiled.add(f);
      await compile(round, staging, outside);
    }
    await bundleVendored(staging);
    const manifest: BuildManifest = { digest: combinedDigest(digests), outside: [...outside].map(rel).sort(), esbuild: esbuildVersion };
    writeFileSync(path.join(staging, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    rmSync(outDir, { recursive: true, force: true });
    renameSync(staging, outDir);
    return manifest;
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

/** What the server's own modules and the vendored bundles are built as: ES modules for Node 20.19 and later, each with its source map beside it. */
const NODE_MODULE_OUTPUT = {
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  // As tsx compiles: class and function names (error names, logs) are the source's.
  keepNames: true,
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'silent',
} as const satisfies BuildOptions;

async function compile(files: string[], outDir: string, outside: Set<string>): Promise<void> {
  const result = await build({
    entryPoints: files.map((file) => ({ in: file, out: outputOf(file).replace(/\.js$/, '') })),
    outdir: outDir,
    // Bundling only to resolve each import: every one stays an import (below).
    bundle: true,
    packages: 'external',
    ...NODE_MODULE_OUTPUT,
    write: false,
    plugins: [keepImports(outside)],
  });
  for (const file of result.outputFiles) {
    mkdirSync(path.dirname(file.path), { recursive: true });
    const fromOutside = path.relative(outDir, file.path).startsWith(`_${path.sep}`) && file.path.endsWith('.js');
    writeFileSync(file.path, fromOutside ? withSourceUrl(file.text, file.path, outDir) : file.contents);
  }
}

/** The VENDORED packages as one ES module each, sharing their common code in chunks. */
async function bundleVendored(outDir: string): Promise<void> {
  await build({
    entryPoints: Object.entries(VENDORED).map(([specifier, name]) => ({ in: specifier, out: name })),
    outdir: path.join(outDir, VENDOR_DIR),
    bundle: true,
    splitting: true,
    chunkNames: 'chunk-[hash]',
    ...NODE_MODULE_OUTPUT,
  });
}

/** Each relative import stays an import of that module's compiled file, `.ts` becoming `.js`; a VENDORED package is imported from its bundle. */
function keepImports(outside: Set<string>): Plugin {
  const vendored = new RegExp(`^(${Object.keys(VENDORED).map((k) => k.replace(/[/.]/g, '\\$&')).join('|')})$`);
  return {
    name: 'keep-imports',
    setup(b) {
      b.onResolve({ filter: vendored }, (args) => ({ path: relativeImport(outputOf(args.importer), path.join(VENDOR_DIR, `${VENDORED[args.path]}.js`)), external: true }));
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        const target = path.resolve(args.resolveDir, args.path);
        if (!/\.[cm]?ts$/.test(target)) return { path: args.path, external: true };
        if (path.relative(src, target).startsWith('..')) outside.add(target);
        return { path: relativeImport(outputOf(args.importer), outputOf(target)), external: true };
      });
    },
  };
}

/**
 * A module from outside src/ finds the files beside it through `import.meta.url` (the SDK's
 * and the authenticator's sources): it is given its source file's URL, as a path relative
 * to where it is compiled, so that the build folder can move with the repository.
 */
function withSourceUrl(code: string, outFile: string, outDir: string): string {
  const source = path.join(root, path.relative(path.join(outDir, '_'), outFile)).replace(/\.js$/, '.ts');
  const rel = relativeImport(outFile, source);
  return code.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`);
}

/** The manifest of the build in `outDir`, or null where there is none that can be read. */
export function readManifest(outDir: string): BuildManifest | null {
  try {
    return JSON.parse(readFileSync(path.join(outDir, MANIFEST), 'utf8')) as BuildManifest;
  } catch {
    return null;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const started = Date.now();
  await buildServer();
  console.log(`carillon: server compiled into dist/ (${Date.now() - started} ms)`);
}

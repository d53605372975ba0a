/**
 * The bench's Carillon server as production runs it: the compiled server in dist/ (what
 * `carillon serve` runs once `npm install` has built it), with no TypeScript loader in the
 * process. bench/children/carillon-server.ts is bundled into one JavaScript file whose
 * imports of src/ point at their compiled files in dist/ (packages stay imports), and is
 * forked with plain `node`. When dist/ is not a build of the sources as they are now
 * (bin/fresh-build.js), the server runs through tsx, and the run says so.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { freshBuild } from '../../bin/fresh-build.js';
import { REPO_ROOT } from './child.ts';

const ENTRY = join(REPO_ROOT, 'bench', 'children', 'carillon-server.ts');
/**
 * Under node_modules, so that the bundle's package imports resolve from the repository's
 * node_modules; named after the checkout, whose dist/ it imports (a second checkout may
 * share the node_modules).
 */
const OUT = join(REPO_ROOT, 'node_modules', '.cache', 'carillon-bench', `carillon-server-${createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 12)}.mjs`);
const SRC = join(REPO_ROOT, 'src') + sep;
const DIST = join(REPO_ROOT, 'dist');

/** Imports of src/x/y.ts become imports of dist/x/y.js, left out of the bundle. */
const toDist: Plugin = {
  name: 'src-to-dist',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = resolve(args.resolveDir, args.path);
      if (!target.startsWith(SRC) || !target.endsWith('.ts')) return undefined;
      return { path: join(DIST, relative(SRC, target)).replace(/\.ts$/, '.js'), external: true };
    });
  },
};

let built: Promise<string | undefined> | undefined;

/**
 * The path of the bundled server child when dist/ is a fresh build (built once a run),
 * else undefined: the caller runs bench/children/carillon-server.ts through tsx.
 */
export function compiledServerChild(): Promise<string | undefined> {
  built ??= (async () => {
    if (!freshBuild(pathToFileURL(join(REPO_ROOT, '/')))) return undefined;
    mkdirSync(dirname(OUT), { recursive: true });
    await build({ entryPoints: [ENTRY], outfile: OUT, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', plugins: [toDist], logLevel: 'warning' });
    return OUT;
  })();
  return built;
}

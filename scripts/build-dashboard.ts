/**
 * Builds the operator dashboard (dashboard/) into dashboard/dist with Vite: `npm run
 * build:dashboard`, and at the end of `npm install` / `npm ci` (the root `postinstall`), so
 * a fresh clone serves it at /dashboard/ after `npm install && npm start`.
 *
 * Where the dev dependencies are not installed (`npm install --omit=dev`), Vite is missing:
 * the install still succeeds and says so, and the server answers /dashboard/ with a page
 * that says how to build it (src/http/routes/dashboard.ts).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dashboard');

let vite: typeof import('vite');
try {
  vite = await import('vite');
} catch {
  console.warn('carillon: Vite is not installed (dev dependencies omitted?): the dashboard is not built; run `npm run build:dashboard` where it is.');
  process.exit(process.argv.includes('--if-possible') ? 0 : 1);
}
await vite.build({ root, configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
console.log(`carillon: dashboard built into ${path.relative(process.cwd(), path.join(root, 'dist')) || 'dashboard/dist'}`);

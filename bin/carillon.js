#!/usr/bin/env node
// Runs the compiled server (dist/, `npm run build`, which `npm install` runs) while it was
// built from the sources as they are now; otherwise the TypeScript sources through tsx, so
// that an edit to src/ runs at once and an older build never does.
import { freshBuild } from './fresh-build.js';
import { holdYoungGeneration } from './start-memory.js';
import { mapStackTraces } from './stack-source-maps.js';

// Before the server's modules load: src/cli/serve.ts lets it go once the server is ready (bin/start-memory.js).
if (process.argv[2] === 'serve') holdYoungGeneration();

const entry = freshBuild(new URL('..', import.meta.url));
if (entry) {
  // Stack traces name the lines of src/ (the build writes a source map beside each file).
  mapStackTraces(new URL('.', entry));
  await import(entry.href);
} else {
  await import('./from-sources.js');
}

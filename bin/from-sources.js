#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, whatever dist/ holds.
let register;
try {
  ({ register } = await import('tsx/esm/api'));
} catch {
  process.stderr.write('carillon: dist/ is missing or was built from other sources than src/ holds, and tsx is not installed to run them: run `npm run build`\n');
  process.exit(1);
}
register();
await import('../src/main.ts');

/**
 * A copy of what an install of Carillon runs from (the repository but its tests, bench,
 * docs and builds), in a temp folder, with node_modules
 * linked package by package so that a test can leave one out (tsx: an install where only
 * the compiled server can run).
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BuildManifest } from '../../scripts/build-server.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
/** What an install does not run from; everything else at the top of the repository is copied. */
const LEFT_OUT = new Set(['.git', 'node_modules', 'dist', 'data', '.carillon', 'test', 'bench', 'docs']);

export interface InstallCopy {
  root: string;
  bin: string;
  /** Compiles the copy's src/ into its dist/ with its own build script. */
  build(): Promise<BuildManifest>;
  /** Runs one command of the copy's bin/carillon.js; a non-zero exit is returned, not thrown. */
  run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  remove(): void;
}

export function copyInstall({ without = [] }: { without?: string[] } = {}): InstallCopy {
  const root = mkdtempSync(path.join(tmpdir(), 'carillon-install-'));
  for (const item of readdirSync(repo)) {
    if (LEFT_OUT.has(item) || item.startsWith('dist.building-')) continue;
    cpSync(path.join(repo, item), path.join(root, item), { recursive: true, filter: (from) => !/[\\/](dist|node_modules)$/.test(from) });
  }
  const modules = realpathSync(path.join(repo, 'node_modules'));
  mkdirSync(path.join(root, 'node_modules'));
  for (const name of readdirSync(modules)) {
    if (name === '.bin' || without.includes(name)) continue;
    symlinkSync(path.join(modules, name), path.join(root, 'node_modules', name));
  }
  const bin = path.join(root, 'bin', 'carillon.js');
  return {
    root,
    bin,
    async build() {
      const script = (await import(pathToFileURL(path.join(root, 'scripts', 'build-server.ts')).href)) as typeof import('../../scripts/build-server.ts');
      return script.buildServer();
    },
    run(args) {
      return new Promise((resolve) => {
        execFile(process.execPath, [bin, ...args], { cwd: root, timeout: 60_000 }, (err, stdout, stderr) => {
          resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
        });
      });
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * The floors of src/ and the check that imports run only down them (layers.test.ts).
 *
 * A file may import from its own floor and from any floor below it, never from one above:
 * a feature that needs something from a higher floor asks for it through an interface it
 * owns, and the floor above passes it in. Folders not yet written (the features to come)
 * are placed already, so a new folder lands on its floor without a change here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface Floor {
  name: string;
  /** Repo-relative folders (`src/x`) or files (`src/x.ts`) on this floor. */
  paths: string[];
  why: string;
}

/** Bottom first: each floor may import the ones listed before it. */
export const FLOORS: Floor[] = [
  {
    name: 'foundation',
    paths: ['src/store', 'src/queue', 'src/config', 'src/errors', 'src/crypto', 'src/rate-limit', 'src/message'],
    why: 'storage, the job queue, configuration, the error catalogue, secrets, shared rate limits and the message model (content, target): below all',
  },
  { name: 'protocol', paths: ['src/protocol'], why: 'pure standards code (RFC 8030/8291/8292, APNs, FCM, CAP next): bytes, keys and time in, no I/O' },
  {
    name: 'transport',
    paths: ['src/transport', 'src/push-service'],
    why: "the wire: Carillon's connections out, and its own RFC 8030 push service, both built on protocol/",
  },
  { name: 'providers', paths: ['src/providers'], why: 'webpush, apns, fcm: request builders, senders, outcome mapping, and what each channel can do' },
  {
    name: 'context',
    paths: ['src/context.ts'],
    why: 'what delivery, the features and the API share (store, queue, secrets, clock); the providers and below take explicit dependencies instead',
  },
  { name: 'delivery', paths: ['src/delivery'], why: 'fan-out, batches, deliver, reconcile: the pipeline from a stored notification to its providers' },
  {
    name: 'features',
    paths: [
      'src/apps',
      'src/subscriptions',
      'src/notifications',
      'src/credentials',
      'src/analytics',
      'src/sdk',
      'src/operators',
      // next
      'src/audience',
      'src/campaigns',
      'src/journeys',
      'src/webhooks',
      'src/alerts',
      'src/mfa',
      'src/conversations',
    ],
    why: 'what the product does; each asks the floors below for what it needs',
  },
  { name: 'http', paths: ['src/http'], why: 'routes, schemas, guards and problem+json: the API over the features' },
  { name: 'entry', paths: ['src/app.ts', 'src/runtime.ts', 'src/main.ts', 'src/cli'], why: 'the composition root and the CLI: they wire every floor and decide nothing' },
];

/**
 * Files on another floor than their folder's, each with the reason. A line here is a
 * debt: the test fails once the file is gone, so the line goes with it.
 */
export const PLACEMENTS: { path: string; floor: string; reason: string }[] = [];

/**
 * Imports allowed to run up, each with the reason it could not be removed yet. The test
 * fails once an import listed here is gone, so the list only shrinks.
 */
export const EXCEPTIONS: { from: string; to: string; reason: string }[] = [];

export interface Import {
  /** Repo-relative path of the importing file. */
  from: string;
  /** Repo-relative path the specifier resolves to. */
  to: string;
}

/** The floor of a repo-relative path: the most specific entry of the table that holds it. */
export function floorOf(file: string, floors: Floor[] = FLOORS, placements = PLACEMENTS): string | undefined {
  const placed = placements.find((p) => p.path === file);
  if (placed) return placed.floor;
  let best: { floor: string; length: number } | undefined;
  for (const floor of floors) {
    for (const p of floor.paths) {
      const holds = file === p || file.startsWith(`${p}/`);
      if (holds && (!best || p.length > best.length)) best = { floor: floor.name, length: p.length };
    }
  }
  return best?.floor;
}

/**
 * Every import that runs up a floor and is not an exception, as `file -> import (floor a
 * is above floor b)`. Imports of files outside src/ and of unplaced files are left to
 * `unplaced`.
 */
export function violations(imports: Import[], floors: Floor[] = FLOORS, exceptions = EXCEPTIONS, placements = PLACEMENTS): string[] {
  const rank = new Map(floors.map((f, i) => [f.name, i]));
  const found: string[] = [];
  for (const { from, to } of imports) {
    if (!to.startsWith('src/')) continue;
    const a = floorOf(from, floors, placements);
    const b = floorOf(to, floors, placements);
    if (a === undefined || b === undefined || rank.get(b)! <= rank.get(a)!) continue;
    if (exceptions.some((e) => e.from === from && e.to === to)) continue;
    found.push(`${from} -> ${to} (floor ${b} is above floor ${a})`);
  }
  return found;
}

/** The unit of the cycle check: a folder of src/ (`src/delivery`), a top-level file, or a placed file on its own. */
function unitOf(file: string, placements: { path: string }[]): string {
  if (placements.some((p) => p.path === file)) return file;
  const parts = file.split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : file;
}

/**
 * Folders that import each other, directly or round a longer loop, as `a -> b -> a`. The
 * floors keep loops from crossing floors; this keeps them out of one floor too (two
 * features that import each other are one feature, or need an interface between them).
 */
export function folderCycles(imports: Import[], exceptions = EXCEPTIONS, placements = PLACEMENTS): string[] {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of imports) {
    if (!to.startsWith('src/') || exceptions.some((e) => e.from === from && e.to === to)) continue;
    const a = unitOf(from, placements);
    const b = unitOf(to, placements);
    if (a === b) continue;
    if (!graph.has(a)) graph.set(a, new Set());
    graph.get(a)!.add(b);
  }
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (unit: string): void => {
    state.set(unit, 'open');
    stack.push(unit);
    for (const next of [...(graph.get(unit) ?? [])].sort()) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(unit, 'done');
  };
  for (const unit of [...graph.keys()].sort()) if (!state.has(unit)) visit(unit);
  return cycles;
}

/** Exceptions and placements that no longer hold anything: each should be deleted from the table. */
export function stale(imports: Import[], files: string[], exceptions = EXCEPTIONS, placements = PLACEMENTS): string[] {
  const edges = new Set(imports.map((i) => `${i.from} -> ${i.to}`));
  const present = new Set(files);
  return [
    ...exceptions.filter((e) => !edges.has(`${e.from} -> ${e.to}`)).map((e) => `exception ${e.from} -> ${e.to} is no longer needed: delete it`),
    ...placements.filter((p) => !present.has(p.path)).map((p) => `placement of ${p.path} is no longer needed (the file is gone): delete it`),
  ];
}

/**
 * The module specifiers a source file imports, in every form that makes a dependency:
 * `import`, `import type`, `export ... from`, `import x = require()`, `import()` and
 * `import('...')` types.
 */
export function specifiersIn(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      found.push(node.moduleReference.expression.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
      found.push(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The relative imports of one file, resolved to repo-relative paths; packages are not floors and are left out. */
export function importsOf(file: string, text: string): Import[] {
  return specifiersIn(file, text)
    .filter((s) => s.startsWith('./') || s.startsWith('../'))
    .map((s) => ({ from: file, to: path.posix.normalize(path.posix.join(path.posix.dirname(file), s)) }));
}

/**
 * The source files of src/ that ship, repo-relative. Unit tests beside them are left out:
 * a test may reach across floors to hold two of them to one contract
 * (src/errors/protocol-errors.test.ts checks the error map against the protocol's classes).
 */
export function sourceFiles(repoRoot: string): string[] {
  return readdirSync(path.join(repoRoot, 'src'), { recursive: true, encoding: 'utf8' })
    .map((entry) => `src/${entry.split(path.sep).join('/')}`)
    .filter((f) => /\.(ts|mts|mjs)$/.test(f) && !/\.test\.ts$/.test(f))
    .sort();
}

/** Every relative import of the files given, read from disk. */
export function readImports(repoRoot: string, files: string[]): Import[] {
  return files.flatMap((f) => importsOf(f, readFileSync(path.join(repoRoot, f), 'utf8')));
}

/**
 * Where the time went in a V8 CPU profile (`npm run bench -- --profile` writes them to
 * bench/results/profiles): self time by function and by file.
 *
 *   npx tsx bench/profile-summary.ts bench/results/profiles/<run>/<file>.cpuprofile [top] [from-mark to-mark]
 *
 * When the run's folder has a marks.json (written by the fan-out), only the samples
 * between the broadcast's 202 and its last 201 are counted.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: tsx bench/profile-summary.ts <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const marksFile = join(dirname(file), 'marks.json');
const marks = existsSync(marksFile) ? (JSON.parse(readFileSync(marksFile, 'utf8')) as Record<string, number>) : {};
// Other marks name the window after the count: `… 25 idle-start idle-end` (section 14's idle sign-ins).
const [fromMark = 'accepted', toMark = 'delivered'] = process.argv.slice(4);
const from = marks[fromMark] ?? Number.NEGATIVE_INFINITY;
const to = marks[toMark] ?? Number.POSITIVE_INFINITY;
const selfUs = new Map<number, number>();
let t = profile.startTime;
let windowUs = 0;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  t += delta;
  if (t < from || t > to) return;
  windowUs += delta;
  selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
});
const total = windowUs / 1000;

const shortUrl = (url: string) => url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, 'node_modules/').replace(/^.*\/(src|bench|test)\//, '$1/') || '(native)';
const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id);
  if (!node) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = shortUrl(url);
  const key = `${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us / 1000);
  const group = url ? where.replace(/^(node_modules\/(@[^/]+\/)?[^/]+).*$/, '$1') : functionName;
  byFile.set(group, (byFile.get(group) ?? 0) + us / 1000);
}
const print = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${v.toFixed(0).padStart(8)} ms ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
  }
};
console.log(`${file}: ${total.toFixed(0)} ms${Number.isFinite(from) ? ` between the marks ${fromMark} and ${toMark}` : ' profiled'}`);
print('self time by file or package', byFile);
print('self time by function', byFunction);

import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Stack traces of the compiled server name the lines of src/, as with Node's own source
 * maps, but a module's map is read only when a stack trace passes through that module.
 * Node's own (`process.setSourceMapsEnabled(true)`) reads and keeps the map of every
 * module as it loads: some 2.5 MB of heap for the server's modules, held for the whole
 * life of the process for the few stack traces it ever writes (bench section 15).
 *
 * Frames in modules under `buildUrl` (dist/) are mapped; every other frame is as V8 writes
 * it. An error's message and frames are otherwise V8's own format.
 * @param {URL} buildUrl the folder the build wrote, with its trailing slash
 */
export function mapStackTraces(buildUrl) {
  const build = buildUrl.href;
  /** @type {Map<string, SourceMap | null>} null: a module without a map that can be read. */
  const maps = new Map();
  /** @param {string} url */
  const mapOf = (url) => {
    let map = maps.get(url);
    if (map === undefined) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(new URL(`${url}.map`), 'utf8')));
      } catch {
        map = null;
      }
      maps.set(url, map);
    }
    return map;
  };
  /** @param {NodeJS.CallSite} frame */
  const located = (frame) => {
    const text = String(frame);
    const url = frame.getFileName();
    const line = frame.getLineNumber();
    const column = frame.getColumnNumber();
    if (!url?.startsWith(build) || line === null || column === null) return text;
    // Both 0-based in a source map, 1-based in a frame.
    const entry = mapOf(url)?.findEntry(line - 1, column - 1);
    if (!entry || !('originalSource' in entry)) return text;
    // The build writes each source as a path relative to its map.
    const source = fileURLToPath(new URL(entry.originalSource, `${url}.map`));
    return text.replace(`${url}:${line}:${column}`, `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`);
  };
  Error.prepareStackTrace = (error, frames) => `${headOf(error)}${frames.map((frame) => `\n    at ${located(frame)}`).join('')}`;
}

/** What V8 writes above the frames: the error as a string, `Name: message`. */
function headOf(error) {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return '<error>';
  }
}

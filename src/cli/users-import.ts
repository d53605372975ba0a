import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ProgressBar } from './progress.ts';
import { openQuote, parseHeader, parseRecord, rowOf, type Column } from './users-csv.ts';

export interface UsersImportOptions {
  server: string;
  app: string;
  key: string;
  format?: 'csv' | 'ndjson';
  pageSize: string;
  json?: boolean;
}

/** Bytes of rows per page at most (besides --page-size rows): under the server's default bodyLimit of 64 KiB. */
const PAGE_BYTES = 48 * 1024;

interface Pending {
  line: number;
  user: unknown;
}

export interface Refusal {
  line: number;
  code: string;
  pointer?: string;
  detail: string;
}

function formatOf(file: string, given: UsersImportOptions['format']): 'csv' | 'ndjson' {
  if (given) return given;
  if (/\.csv$/i.test(file)) return 'csv';
  if (/\.(nd)?jsonl?$|\.ndjson$/i.test(file)) return 'ndjson';
  throw new Error('cannot tell the format from the file name: use --format csv or --format ndjson');
}

/**
 * `carillon users import FILE`: reads a CSV file with a header row (src/cli/users-csv.ts)
 * or NDJSON (one `{externalId, attributes?, language?, ...}` per line) as a stream, and
 * posts it in pages to POST /v1/apps/{appId}/users/import. A row refused, here or by the
 * server, is reported with its line number and the rest are imported. Returns the exit
 * code: 0 when every row was imported, 2 when any was refused.
 */
export async function importUsersFile(file: string, opts: UsersImportOptions): Promise<number> {
  const format = formatOf(file, opts.format);
  const pageSize = Number(opts.pageSize);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) throw new Error('--page-size is 1 to 1000');
  const total = statSync(file).size;
  const stream = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const bar = new ProgressBar();
  const refused: Refusal[] = [];
  let imported = 0;
  let page: Pending[] = [];

  const send = async (sent: Pending[]): Promise<void> => {
    const res = await post(opts, sent.map((p) => p.user));
    if (res === 'too_large') {
      // A page over the server's body limit goes again row by row; a row over it alone is refused.
      if (sent.length === 1) refused.push({ line: sent[0]!.line, code: 'body_too_large', detail: 'the row is larger than the server accepts in one request' });
      else for (const one of sent) await send([one]);
      return;
    }
    imported += res.imported;
    for (const r of res.refused) refused.push({ line: sent[r.index]!.line, code: r.code, ...(r.pointer ? { pointer: r.pointer } : {}), detail: r.detail });
  };
  const flush = async () => {
    if (page.length === 0) return;
    const sent = page;
    page = [];
    await send(sent);
    bar.update(stream.bytesRead, total, `imported ${imported}, refused ${refused.length}`);
  };
  // Codes of the API's catalogue: the line is not JSON, or does not fit the import's shape.
  const refuse = (line: number, code: 'invalid_json' | 'invalid_request', detail: string) => refused.push({ line, code, detail });
  let pageBytes = 0;

  let columns: Column[] | undefined;
  let record = '';
  let recordLine = 0;
  let lineNo = 0;
  for await (const text of lines) {
    lineNo += 1;
    if (format === 'ndjson') {
      if (text.trim() === '') continue;
      let user: unknown;
      try {
        user = JSON.parse(text);
      } catch {
        refuse(lineNo, 'invalid_json', 'the line is not JSON');
        continue;
      }
      if (typeof user !== 'object' || user === null || Array.isArray(user)) {
        refuse(lineNo, 'invalid_request', 'the line is not a JSON object');
        continue;
      }
      page.push({ line: lineNo, user });
      pageBytes += Buffer.byteLength(text);
    } else {
      // A quoted field may run over several lines: the record is read to its end first.
      if (record === '') recordLine = lineNo;
      record = record === '' ? text : `${record}\n${text}`;
      if (openQuote(record)) continue;
      const complete = record;
      record = '';
      if (complete.trim() === '') continue;
      try {
        const fields = parseRecord(complete);
        if (!columns) {
          columns = parseHeader(fields);
          continue;
        }
        const user = rowOf(columns, fields);
        page.push({ line: recordLine, user });
        pageBytes += Buffer.byteLength(JSON.stringify(user));
      } catch (err) {
        if (!columns) throw new Error(`line ${recordLine}: ${(err as Error).message}`);
        refuse(recordLine, 'invalid_request', (err as Error).message);
        continue;
      }
    }
    // A page also stays well under the server's body limit (1 MiB by default).
    if (page.length >= pageSize || pageBytes >= PAGE_BYTES) {
      pageBytes = 0;
      await flush();
    }
  }
  if (record !== '') refuse(recordLine, 'invalid_request', 'a quoted field is not closed before the end of the file');
  await flush();
  bar.update(total, total, `imported ${imported}, refused ${refused.length}`);
  bar.finish();
  refused.sort((a, b) => a.line - b.line);
  for (const r of refused) process.stderr.write(`line ${r.line}: ${r.code}${r.pointer ? ` ${r.pointer}` : ''}: ${r.detail}\n`);
  process.stdout.write(opts.json ? `${JSON.stringify({ imported, refused })}\n` : `imported ${imported}, refused ${refused.length}\n`);
  return refused.length > 0 ? 2 : 0;
}

async function post(opts: UsersImportOptions, users: unknown[]): Promise<{ imported: number; refused: { index: number; code: string; pointer?: string; detail: string }[] } | 'too_large'> {
  const res = await fetch(new URL(`/v1/apps/${encodeURIComponent(opts.app)}/users/import`, opts.server), {
    method: 'POST',
    headers: { authorization: `Bearer ${opts.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ users }),
  });
  if (res.status === 413) return 'too_large';
  const text = await res.text();
  const json = text ? JSON.parse(text) : {};
  if (!res.ok) throw new Error(`${res.status} ${json.code ?? ''}: ${json.detail ?? text}`);
  return json;
}

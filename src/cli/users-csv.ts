/**
 * The CSV side of `carillon users import`: RFC 4180 records (quoted fields may hold commas,
 * doubled quotes and line breaks) with a header row that names each column.
 *
 * Columns: `externalId` (required), `language`, `timezone`, `country`, `lat` and `lon`
 * (together, as the location), and any other column is a custom attribute. A cell is text,
 * so an attribute is a string unless its header gives a type: `visits:number`,
 * `beta:boolean` (true or false), `signedUpAt:time` (RFC 3339), `zip:string`. A string
 * that is an RFC 3339 date-time is still stored as a time, as the API does. An empty cell
 * leaves the field as it is: CSV has no null, so removing needs the NDJSON form.
 */
import { rfc3339Time } from '../audience/users/validate-user.ts';

export type ColumnType = 'string' | 'number' | 'boolean' | 'time';
export interface Column {
  name: string;
  type: ColumnType;
}

const FIELDS = new Set(['externalId', 'language', 'timezone', 'country', 'lat', 'lon']);

/** Whether the text so far ends inside a quoted field (so the record goes on on the next line). */
export function openQuote(text: string): boolean {
  let inside = false;
  for (const ch of text) if (ch === '"') inside = !inside;
  return inside;
}

/** The fields of one complete record. Throws on a quote in the middle of an unquoted field. */
export function parseRecord(text: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let value = '';
      i += 1;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new Error('a quoted field is not closed');
        value += text.slice(i, q);
        if (text[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      fields.push(value);
      if (i < text.length && text[i] !== ',') throw new Error('text after a closing quote');
    } else {
      const end = text.indexOf(',', i);
      const value = text.slice(i, end < 0 ? text.length : end);
      if (value.includes('"')) throw new Error('a quote inside an unquoted field (quote the field and double the quote)');
      fields.push(value);
      i = end < 0 ? text.length : end;
    }
    if (i >= text.length) return fields;
    i += 1; // the comma
  }
}

export function parseHeader(fields: string[]): Column[] {
  const columns = fields.map((raw) => {
    const m = /^([^:]+)(?::(string|number|boolean|time))?$/.exec(raw.trim());
    if (!m) throw new Error(`header "${raw}": a column is name or name:type (string, number, boolean, time)`);
    if (FIELDS.has(m[1]!) && m[2] !== undefined) throw new Error(`header "${raw}": ${m[1]} is a user field and takes no type`);
    return { name: m[1]!, type: (m[2] ?? 'string') as ColumnType };
  });
  if (!columns.some((c) => c.name === 'externalId')) throw new Error('the header row has no externalId column');
  const names = columns.map((c) => c.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new Error(`the header names ${twice} twice`);
  if (names.includes('lat') !== names.includes('lon')) throw new Error('the header has lat without lon, or lon without lat');
  return columns;
}

const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** One record as an import row; throws a message naming the field on a cell its type refuses. */
export function rowOf(columns: Column[], fields: string[]): Record<string, unknown> {
  if (fields.length !== columns.length) throw new Error(`${fields.length} fields where the header has ${columns.length}`);
  const row: Record<string, unknown> = {};
  const attributes: Record<string, unknown> = {};
  columns.forEach((col, i) => {
    const cell = fields[i]!;
    if (cell === '') return;
    if (col.name === 'lat' || col.name === 'lon') {
      if (!NUMBER.test(cell)) throw new Error(`${col.name}: "${cell}" is not a number`);
      row[col.name] = Number(cell);
    } else if (FIELDS.has(col.name)) {
      row[col.name] = cell;
    } else if (col.type === 'number') {
      if (!NUMBER.test(cell)) throw new Error(`attributes.${col.name}: "${cell}" is not a number`);
      attributes[col.name] = Number(cell);
    } else if (col.type === 'boolean') {
      if (cell !== 'true' && cell !== 'false') throw new Error(`attributes.${col.name}: "${cell}" is not true or false`);
      attributes[col.name] = cell === 'true';
    } else if (col.type === 'time') {
      if (rfc3339Time(cell) === undefined) throw new Error(`attributes.${col.name}: "${cell}" is not an RFC 3339 date-time`);
      attributes[col.name] = cell;
    } else {
      attributes[col.name] = cell;
    }
  });
  const { lat, lon, ...rest } = row;
  if ((lat === undefined) !== (lon === undefined)) throw new Error('lat and lon come together, or neither');
  return { ...rest, ...(lat !== undefined ? { location: { lat, lon } } : {}), ...(Object.keys(attributes).length ? { attributes } : {}) };
}

/**
 * Query strings and path parameters arrive as text, so a number or a flag in them must be
 * read from its text; JSON bodies carry their own types and are never coerced (a `null`
 * where a number belongs is an error, not 0). This reads the text strictly, as Ajv's
 * `coerceTypes` would, for the flat schemas that query strings and paths have.
 */
interface ParameterSchema {
  type?: string;
  properties?: Record<string, ParameterSchema>;
  items?: ParameterSchema;
}

// A decimal number as JSON writes it: no hex, no blanks, no empty string.
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

function coerceValue(schema: ParameterSchema | undefined, value: unknown): unknown {
  if (!schema) return value;
  if (schema.type === 'array') {
    const list = Array.isArray(value) ? value : [value];
    return list.map((v) => coerceValue(schema.items, v));
  }
  if (typeof value !== 'string') return value;
  if ((schema.type === 'integer' || schema.type === 'number') && NUMBER.test(value)) return Number(value);
  if (schema.type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/** The parameters with their numbers and flags read from text; what does not read stays text, and validation refuses it. */
export function coerceParameters(schema: unknown, values: unknown): unknown {
  const s = schema as ParameterSchema | undefined;
  if (!s?.properties || !values || typeof values !== 'object') return values;
  const out: Record<string, unknown> = { ...(values as Record<string, unknown>) };
  for (const [name, value] of Object.entries(out)) out[name] = coerceValue(s.properties[name], value);
  return out;
}

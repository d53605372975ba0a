import type { StaticAnalysis, Template, Variable } from 'liquidjs';
import { contentEngine } from './content-engine.ts';
import { ContentError } from './content-error.ts';
import { templateError } from './liquid-error.ts';
import { CONTEXT_FIELDS } from './render-context.ts';
import { OBJECT_INTERNALS } from './object-internals.ts';
import type { FieldPath } from './compiled-content.ts';

export interface ParsedTemplate {
  /** null when the source holds no Liquid: it renders as itself. */
  template: Template[] | null;
  /** The context paths the template reads, cut at the first computed segment (`user.attributes[k]` -> `user.attributes`). */
  paths: FieldPath[];
}

/**
 * Parses one field's template and checks what it reads, or throws template_invalid at
 * `pointer` with the line and column liquidjs reports (1-based). Checked here, at save:
 * syntax, unknown tags and filters, the refused file tags, literal loops over the limit,
 * and variables outside the render context (docs/campaigns-content.md#variables).
 */
export function parseTemplate(source: string, pointer: string): ParsedTemplate {
  if (!source.includes('{{') && !source.includes('{%')) return { template: null, paths: [] };
  let template: Template[];
  try {
    template = contentEngine.parse(source);
  } catch (err) {
    throw templateError(err, pointer);
  }
  const analysis = contentEngine.analyzeSync(template, { partials: false });
  refuseObjectInternals(analysis, pointer);
  const paths: FieldPath[] = [];
  for (const variables of Object.values(analysis.globals)) {
    for (const variable of variables) {
      const segments = variable.segments;
      const root = segments[0];
      const at = { line: variable.location.row, column: variable.location.col };
      const fields = typeof root === 'string' ? CONTEXT_FIELDS[root] : undefined;
      if (!fields || !Object.hasOwn(CONTEXT_FIELDS, root as string)) {
        throw new ContentError('template_invalid', pointer, `{{ ${variable.toString()} }} reads "${String(root)}", which is not in scope: use user, event or app`, at);
      }
      const field = segments[1];
      if (field !== undefined && typeof field !== 'object' && !fields.includes(String(field))) {
        throw new ContentError('template_invalid', pointer, `{{ ${variable.toString()} }}: ${String(root)} has no field "${String(field)}" (it has ${fields.join(', ')}${root === 'user' ? '; custom attributes are user.attributes.name' : ''})`, at);
      }
      const cut = segments.findIndex((s) => typeof s === 'object');
      paths.push((cut === -1 ? segments : segments.slice(0, cut)) as FieldPath);
    }
  }
  return { template, paths };
}

function refuseObjectInternals(analysis: StaticAnalysis, pointer: string): void {
  for (const variables of [...Object.values(analysis.variables), ...Object.values(analysis.locals)]) {
    for (const variable of variables) {
      const bad = flatSegments(variable.segments).find((s) => typeof s === 'string' && OBJECT_INTERNALS.has(s));
      if (bad !== undefined) {
        throw new ContentError('template_invalid', pointer, `{{ ${variable.toString()} }} names "${String(bad)}", which is not data a template may read or set`, { line: variable.location.row, column: variable.location.col });
      }
    }
  }
}

function flatSegments(segments: readonly (string | number | Variable)[]): (string | number)[] {
  return segments.flatMap((s) => (typeof s === 'object' ? flatSegments(s.segments) : [s]));
}

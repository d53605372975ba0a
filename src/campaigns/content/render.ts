import { Context, LiquidError } from 'liquidjs';
import type { MessageContent } from '../../message/content.ts';
import { contentEngine } from './content-engine.ts';
import { checkMessage } from './check-message.ts';
import type { CompiledContent, CompiledVersion, FieldPath } from './compiled-content.ts';
import { liquidScope } from './liquid-scope.ts';
import { liquidMessage, liquidPosition } from './liquid-error.ts';
import { renderSimple, simpleTemplate } from './simple-template.ts';
import { versionFor } from './version-for.ts';
import type { RenderContext } from './render-context.ts';
import type { TemplatePosition } from './content-error.ts';

/** Which limit cut a render: liquidjs's renderLimit (time) or memoryLimit, or V8's own (stack, string length). */
export type RenderCut = 'time' | 'memory' | 'engine';

/**
 * A recipient's message, or why there is none. `content` is frozen: it is shared by every
 * recipient whose rendering is the same (ContentRenderer), so copy it to change it.
 */
export type RenderResult =
  | { ok: true; language: string; content: MessageContent }
  | { ok: false; reason: 'render_failed'; language: string; detail: string; field: string; cut?: RenderCut; at?: TemplatePosition };

// Fields a message may go without: one that renders to nothing (`{% if %}` around a URL
// that only some users have) is left out instead of failing the recipient. The title, and
// an action's title, are required and fail when empty.
const OPTIONAL = new Set(['body', 'url', 'icon', 'image']);

/**
 * Renders the version for `language` (a version tag as pickLanguage answers; any other tag
 * is looked up the same way) with one recipient's context. All fields of one recipient
 * share one render budget and one memory budget (limits.ts). A failure is a result, not a
 * throw, so a page of recipients renders on past it:
 *
 *   const r = render(compiled, pickLanguage(user.language, compiled.languages, compiled.defaultLanguage), ctx)
 *   if (!r.ok) skip(recipient, { reason: r.reason, detail: r.detail })
 *
 * In strict content a variable that is missing fails the recipient, unless the template
 * gives it a `default` or tests it with `if`; otherwise it renders blank. A rendered
 * message that is not valid MessageContent (a URL that is not https:, http: or a site
 * path; a title empty or over 1,000 characters) fails too, naming the field.
 */
export function render(compiled: CompiledContent, language: string | null, ctx: RenderContext): RenderResult {
  const version = versionFor(compiled, language);
  if (version.fields.length === 0) return { ok: true, language: version.language, content: version.base };
  return renderVersion(version, compiled.strict, ctx);
}

/** The budgets of one render: liquidjs's limiters, shared by the fields of a recipient. */
export interface RenderBudget {
  memoryLimit?: Context['memoryLimit'];
  renderLimit?: Context['renderLimit'];
}

/**
 * Renders one version. compileContent's trial at save goes through here too and passes one
 * `budget` for all versions: the render-time limiter the first one starts is kept in it and
 * shared by the rest, so a save costs one time budget, not one per language (memory stays
 * per version).
 */
export function renderVersion(version: CompiledVersion, strict: boolean, ctx: RenderContext, budget: RenderBudget = {}): RenderResult {
  // Built when a field needs liquidjs: a simple template reads the context in place.
  let scope: Record<string, unknown> | undefined;
  const out: Record<string, unknown> = { ...version.base };
  if (version.base.actions) out.actions = version.base.actions.map((a) => ({ ...a }));
  const limits: RenderBudget = { ...budget };
  for (const field of version.fields) {
    let text: string;
    // A template of text and plain variables renders without liquidjs (simple-template.ts),
    // until a field of this recipient has started liquidjs's budgets: the fields after it
    // share them, so a spent budget cuts them as it did.
    const simple = field.template === null || limits.renderLimit !== undefined ? null : simpleTemplate(field.template);
    const fast = simple === null ? undefined : renderSimple(simple, ctx, strict);
    if (field.template === null) {
      text = field.source;
    } else if (fast !== undefined) {
      text = fast;
    } else {
      const context = new Context((scope ??= liquidScope(ctx)), contentEngine.options, { strictVariables: strict, ownPropertyOnly: true }, { liquid: contentEngine, ...limits });
      limits.memoryLimit = context.memoryLimit;
      limits.renderLimit = context.renderLimit;
      budget.renderLimit ??= context.renderLimit; // the time budget goes back to a caller that shares it
      try {
        text = String(contentEngine.renderSync(field.template, context));
      } catch (err) {
        return { ok: false, reason: 'render_failed', language: version.language, ...renderFailure(err, field.path) };
      }
    }
    // A lone surrogate (from data written around the API, which refuses them) is not text
    // (RFC 8259 §8.2) and shows as U+FFFD: the recipient fails rather than being sent a
    // repaired message the operator never wrote.
    if (!(text as string & { isWellFormed(): boolean }).isWellFormed()) {
      return { ok: false, reason: 'render_failed', language: version.language, detail: `${field.path.join('.')} rendered text that is not well-formed Unicode (a lone surrogate)`, field: '/' + field.path.join('/') };
    }
    place(out, field.path, text);
  }
  const content = out as MessageContent;
  const problem = checkMessage(content);
  if (problem) return { ok: false, reason: 'render_failed', language: version.language, detail: problem.detail, field: problem.field };
  if (content.actions) {
    for (const a of content.actions) Object.freeze(a);
    Object.freeze(content.actions);
  }
  return { ok: true, language: version.language, content: Object.freeze(content) };
}

function place(out: Record<string, unknown>, path: FieldPath, text: string): void {
  const [first, index, key] = path;
  if (path.length === 1) {
    if (OPTIONAL.has(String(first)) && text.trim() === '') delete out[String(first)];
    else out[String(first)] = text;
    return;
  }
  const action = (out.actions as Record<string, unknown>[])[index as number]!;
  if (key === 'url' && text.trim() === '') delete action.url;
  else action[String(key)] = text;
}

function renderFailure(err: unknown, path: FieldPath): { detail: string; field: string; cut?: RenderCut; at?: TemplatePosition } {
  const field = '/' + path.join('/');
  const name = path.join('.');
  if (err instanceof RangeError) return { detail: `${name}: cut by the engine (${err.message})`, field, cut: 'engine' };
  if (!(err instanceof Error)) return { detail: `${name}: ${String(err)}`, field };
  // A limit is a liquidjs AssertionError, wrapped in a RenderError when a node hit it but
  // not when the budget a field starts with is already spent (renderTemplates checks it
  // before its first node): judged by liquidjs's Limiter messages, whatever the class.
  const message = liquidMessage(err);
  const pos = err instanceof LiquidError ? liquidPosition(err) : undefined;
  const at = pos ? ` (line ${pos.line}, column ${pos.column})` : '';
  const cut: RenderCut | undefined = /memory alloc limit exceeded/.test(message) ? 'memory' : /template render limit exceeded/.test(message) ? 'time' : undefined;
  const detail = cut ? `${name}: cut by the ${cut === 'memory' ? 'memory' : 'render time'} limit${at}` : `${name}: ${message}${at}`;
  return { detail, field, ...(cut ? { cut } : {}), ...(pos ? { at: pos } : {}) };
}

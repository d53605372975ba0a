import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ApiError } from '../../errors/api-error.ts';
import { formatPointer } from '../../audience/filter/json-pointer.ts';
import type { MessageContent } from '../../message/content.ts';
import { CampaignContent, type TemplatedMessage } from './campaign-content.ts';
import { checkMessage } from './check-message.ts';
import type { CompiledContent, CompiledField, CompiledVersion, FieldPath } from './compiled-content.ts';
import { ContentError, pointerFragment } from './content-error.ts';
import { MAX_LANGUAGES } from './limits.ts';
import { parseTemplate } from './parse-template.ts';
import { renderVersion, type RenderBudget } from './render.ts';
import type { RenderContext } from './render-context.ts';

export interface CompileOptions {
  /** The version users get when none matches their language; may be left out when there is one version. */
  defaultLanguage?: string | undefined;
  /** A missing variable fails the recipient (render_failed) instead of rendering blank. */
  strict?: boolean | undefined;
  /** Where the default language is in the request body, for the error's pointer. */
  defaultLanguagePointer?: string | undefined;
}

const checkShape = TypeCompiler.Compile(CampaignContent);

// Fields of a TemplatedMessage that may hold Liquid; the rest are taken as they are.
const TEMPLATED = ['title', 'body', 'url', 'icon', 'image'] as const;

// The trial render at save: a user with nothing known. Enough to run every literal loop
// and every string built without data, which is where a template blows up by itself.
const EMPTY: RenderContext = { user: { id: '', language: null, timezone: null, country: null, attributes: {} }, app: { globals: {} } };

/**
 * Parses and checks a campaign's content once, when the campaign is saved; the result
 * renders per recipient with render() and groups recipients with renderKey().
 *
 *   const compiled = compileContent(body.content, { defaultLanguage: 'en', strict: false })
 *
 * Throws a ContentError (problem+json with `pointer`, and `line` and `column` for a
 * template):
 * - invalid_content_language (400): a key that is not a well-formed BCP 47 tag, two keys
 *   for one language (`fr-ca`, `fr-CA`), more than MAX_LANGUAGES, or a default language
 *   that is not one of the versions;
 * - template_invalid (422): Liquid that does not parse, a refused tag (`include`,
 *   `render`, `layout`), an unknown filter, a variable out of scope, a literal loop over
 *   MAX_LITERAL_LOOP items, a template that goes over a limit when tried with no data, or
 *   a field without Liquid that MessageContent refuses (a `javascript:` URL, a title over
 *   1,000 characters).
 *
 * `pointer` is where `content` sits in the request body (RFC 6901).
 */
export function compileContent(content: CampaignContent, options: CompileOptions = {}, pointer = '/content'): CompiledContent {
  if (!checkShape.Check(content)) {
    const first = checkShape.Errors(content).First();
    throw new ApiError('invalid_request', `content${first?.path ?? ''}: ${first?.message ?? 'not valid'}`, { pointer: pointerFragment(pointer + (first?.path ?? '')) });
  }
  const keys = Object.keys(content);
  if (keys.length > MAX_LANGUAGES) throw new ContentError('invalid_content_language', pointer, `${keys.length} languages; at most ${MAX_LANGUAGES}`);
  const versions = new Map<string, CompiledVersion>();
  const keyOf = new Map<string, string>();
  for (const key of keys) {
    const at = pointer + formatPointer([key]);
    const language = canonical(key);
    if (language === undefined) throw new ContentError('invalid_content_language', at, `"${key}" is not a well-formed BCP 47 language tag (for example fr-CA)`);
    const twin = keyOf.get(language);
    if (twin !== undefined) throw new ContentError('invalid_content_language', at, `"${key}" and "${twin}" are the same language (${language}); give each language once`);
    keyOf.set(language, key);
    versions.set(language, compileVersion(language, content[key]!, at));
  }
  const languages = [...versions.keys()];
  const defaultLanguage = pickDefault(options, languages);
  const compiled: CompiledContent = { languages, defaultLanguage, strict: options.strict === true, versions };
  const budget: RenderBudget = {};
  for (const [i, version] of [...versions.values()].entries()) tryRender(version, pointer + formatPointer([keys[i]!]), budget);
  return compiled;
}

function canonical(tag: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(tag)[0];
  } catch {
    return undefined; // RangeError: not well-formed
  }
}

function pickDefault(options: CompileOptions, languages: string[]): string {
  const at = options.defaultLanguagePointer ?? '/defaultLanguage';
  if (options.defaultLanguage === undefined) {
    if (languages.length === 1) return languages[0]!;
    throw new ContentError('invalid_content_language', at, `a default language is needed with ${languages.length} versions: one of ${languages.join(', ')}`);
  }
  const tag = canonical(options.defaultLanguage);
  if (tag === undefined || !languages.includes(tag)) {
    throw new ContentError('invalid_content_language', at, `the default language "${options.defaultLanguage}" is not one of the versions (${languages.join(', ')})`);
  }
  return tag;
}

function compileVersion(language: string, message: TemplatedMessage, at: string): CompiledVersion {
  const fields: CompiledField[] = [];
  const paths: FieldPath[] = [];
  const base: Record<string, unknown> = structuredClone(message); // frozen below: not the caller's objects
  if (base.lang === undefined) base.lang = language; // the Notification API's `lang`: the text's language
  const templated = (path: FieldPath, source: string) => {
    const parsed = parseTemplate(source, at + formatPointer(path));
    if (parsed.template === null) return;
    fields.push({ path, template: parsed.template, source });
    paths.push(...parsed.paths);
  };
  for (const name of TEMPLATED) {
    const source = message[name];
    if (source !== undefined) templated([name], source);
  }
  message.actions?.forEach((action, i) => {
    templated(['actions', i, 'title'], action.title);
    if (action.url !== undefined) templated(['actions', i, 'url'], action.url);
  });
  checkLiteralFields(base, fields, at);
  return { language, base: deepFreeze(base) as MessageContent, fields, keyPaths: minimalPaths(paths) };
}

/**
 * The fields without Liquid go to every recipient as they are: check them against
 * MessageContent now (a `javascript:` URL, a literal title over 1,000 characters) rather
 * than fail every recipient. The templated fields stand in as valid placeholders.
 */
function checkLiteralFields(base: Record<string, unknown>, fields: CompiledField[], at: string): void {
  const probe = structuredClone(base);
  for (const { path } of fields) {
    const last = String(path[path.length - 1]);
    const stand = last === 'title' ? 'x' : last === 'body' ? '' : '/';
    if (path.length === 1) probe[last] = stand;
    else ((probe.actions as Record<string, unknown>[])[path[1] as number]!)[last] = stand;
  }
  const problem = checkMessage(probe as MessageContent);
  if (problem) throw new ContentError('template_invalid', at + problem.field, `${problem.detail} (it holds no Liquid, so every recipient would get it)`);
}

function tryRender(version: CompiledVersion, at: string, budget: RenderBudget): void {
  if (version.fields.length === 0) return;
  const result = renderVersion(version, false, EMPTY, budget);
  if (!result.ok && result.cut) {
    throw new ContentError('template_invalid', at + result.field, `${result.detail.replace(/ \(line.*$/, '')} when tried with no user data: the template would stall every render`, result.at);
  }
}

/** Paths sorted, without any that another path is a prefix of (reading `user` covers `user.id`). */
function minimalPaths(paths: FieldPath[]): FieldPath[] {
  const keyed = [...new Map(paths.map((p) => [JSON.stringify(p), p])).values()].sort((a, b) => a.length - b.length);
  const kept: FieldPath[] = [];
  for (const p of keyed) if (!kept.some((k) => k.every((s, i) => p[i] === s))) kept.push(p);
  return kept.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

import type { CompiledContent, CompiledVersion } from './compiled-content.ts';
import { pickLanguage } from './pick-language.ts';

/** The version a tag gets: the tag itself when it is one, else RFC 4647 lookup, else the default. */
export function versionFor(compiled: CompiledContent, language: string | null): CompiledVersion {
  const exact = language === null ? undefined : compiled.versions.get(language);
  if (exact) return exact;
  // Users speak a handful of tags; the lookup per tag is remembered per content (bounded,
  // since a tag is the user's own input).
  let memo = LOOKUPS.get(compiled);
  if (!memo) LOOKUPS.set(compiled, (memo = new Map()));
  let version = memo.get(language);
  if (!version) {
    version = compiled.versions.get(pickLanguage(language, compiled.languages, compiled.defaultLanguage))!;
    if (memo.size < MAX_REMEMBERED_TAGS) memo.set(language, version);
  }
  return version;
}

const LOOKUPS = new WeakMap<CompiledContent, Map<string | null, CompiledVersion>>();
const MAX_REMEMBERED_TAGS = 1_000;

import { asciiLower } from '../../audience/filter/language.ts';

/**
 * The version of a message a user gets: RFC 4647 §3.4 "Lookup" of the user's language
 * among the versions, case-insensitively (RFC 5646 §2.1.1), then the default.
 *
 * The user's tag is tried whole, then with its last subtag cut off, again and again; a
 * single-letter subtag left at the end (an extension or private-use singleton such as
 * `-u` or `-x`) is cut with the subtag after it (§3.4, step 2). So:
 *
 *   pickLanguage('fr-CA', ['en', 'fr', 'fr-CA'], 'en')      // 'fr-CA'
 *   pickLanguage('fr-CA', ['en', 'fr'], 'en')               // 'fr'
 *   pickLanguage('fr-Latn-CA-x-qc', ['en', 'fr-Latn'], 'en') // 'fr-Latn'
 *   pickLanguage('fr', ['en', 'fr-CA'], 'en')               // 'en': lookup never widens
 *   pickLanguage(null, ['en', 'fr'], 'en')                  // 'en'
 *
 * Lookup only narrows the user's tag, never the versions' (a user who says `fr` is not
 * given `fr-CA`): give a plain `fr` version to reach every French speaker. The answer is
 * spelled as in `available`.
 */
export function pickLanguage(userLanguage: string | null | undefined, available: readonly string[], defaultLanguage: string): string {
  if (userLanguage) {
    const byLower = new Map(available.map((tag) => [asciiLower(tag), tag]));
    for (const candidate of lookupChain(userLanguage)) {
      const found = byLower.get(candidate);
      if (found !== undefined) return found;
    }
  }
  return defaultLanguage;
}

/** The tags RFC 4647 Lookup tries for `tag`, longest first, in lower case. */
export function lookupChain(tag: string): string[] {
  const subtags = asciiLower(tag).split('-');
  const chain: string[] = [];
  while (subtags.length > 0) {
    // A range of `*` or an empty subtag matches nothing as a version key; stop there.
    if (subtags.some((s) => s === '' || s === '*')) break;
    chain.push(subtags.join('-'));
    subtags.pop();
    // §3.4: "if the character to the left of the removed subtag is a singleton, remove it too".
    if (subtags.length > 0 && subtags[subtags.length - 1]!.length === 1) subtags.pop();
  }
  return chain;
}

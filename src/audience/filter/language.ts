/**
 * Language matching on BCP 47 tags (RFC 5646). Tags compare case-insensitively
 * (RFC 5646 §2.1.1: "fr-CA" and "FR-ca" are the same tag), and a prefix matches at subtag
 * boundaries only, as basic filtering does (RFC 4647 §3.3.1): `fr` matches `fr`, `fr-CA`
 * and `fr-Latn-CA`, never `fra` or `frr`.
 */

/** What the filter accepts as a language or a language prefix: subtags of letters and digits, 1 to 8 each. */
export const LANGUAGE_TAG = /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/;

/** Lower case of ASCII letters only, as SQLite's `lower()` does: tags are ASCII (RFC 5646 §2.1). */
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

export function languageEquals(tag: string, other: string): boolean {
  return asciiLower(tag) === asciiLower(other);
}

/** `prefix` is the whole tag or its first subtags. */
export function languageStartsWith(tag: string, prefix: string): boolean {
  const t = asciiLower(tag);
  const p = asciiLower(prefix);
  return t === p || t.startsWith(p + '-');
}

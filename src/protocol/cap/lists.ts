import type { CapReference } from './types.ts';
import { parseCapTime } from './time.ts';

/**
 * CAP's space-delimited lists (`addresses`, `incidents`, CAP 1.2 §3.2.1): items are
 * separated by white space, and an item holding spaces is enclosed in double quotes.
 */
export function splitCapList(text: string): string[] {
  const items: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const item = (m[1] ?? m[2] ?? '').trim();
    if (item !== '') items.push(item);
  }
  return items;
}

/**
 * `<references>`: white-space separated `sender,identifier,sent` triples (CAP 1.2
 * §3.2.1). Seen in the wild and accepted: a bare `identifier`, and `sender,identifier`.
 * A token with a sent time that does not parse, or more than three parts, is refused by
 * returning its text, so the caller can name it.
 */
export function parseReferences(text: string): { references: CapReference[]; bad?: string } {
  const references: CapReference[] = [];
  for (const token of text.split(/\s+/).filter((t) => t !== '')) {
    const parts = token.split(',');
    if (parts.some((p) => p === '') || parts.length > 3) return { references, bad: token };
    if (parts.length === 1) {
      references.push({ identifier: parts[0]! });
    } else if (parts.length === 2) {
      references.push({ sender: parts[0]!, identifier: parts[1]! });
    } else {
      const sent = parseCapTime(parts[2]!);
      if (!sent) return { references, bad: token };
      references.push({ sender: parts[0]!, identifier: parts[1]!, sent });
    }
  }
  return { references };
}

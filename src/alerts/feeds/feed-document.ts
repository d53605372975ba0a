/**
 * What a polled document holds (pure): the CAP messages it carries itself, and the CAP
 * documents its entries link to. Four shapes are read, as alerting authorities publish them:
 *
 * - one CAP `<alert>` (a "single CAP URL");
 * - an Atom feed (RFC 4287), each `<entry>` linking to its CAP document (`<link
 *   type="application/cap+xml">`, else the `alternate` or first link, as the NWS and
 *   Google Public Alerts feeds do) or carrying it in `<content>`;
 * - an RSS 2.0 feed, each `<item>` linking to its CAP document by `<enclosure>` or `<link>`;
 * - any other document whose elements include CAP `<alert>`s (IPAWS-OPEN's `<alerts>`).
 *
 * An embedded alert is handed on as the text it was written in, so what is stored (and
 * shown in the public Atom feed) is the message as received; when its namespace is
 * declared on an ancestor, the declaration is copied onto it so the text stands alone.
 * The document is read by the CAP reader's XML floor: DTDs, entities and deep nesting
 * are refused before any element is looked at.
 */
import { readXml, type XmlElement } from '../../protocol/cap/xml.ts';
import { CAP_MAX_BYTES, CAP_NAMESPACES } from '../../protocol/cap/index.ts';

const ATOM = 'http://www.w3.org/2005/Atom';
const CAP_NS = new Set<string>(Object.values(CAP_NAMESPACES));

export interface LinkedEntry {
  /** Names the entry in its version: Atom id and updated, or RSS guid (or link) and pubDate. */
  key: string;
  url: string;
}

export interface FeedDocument {
  kind: 'cap' | 'atom' | 'rss' | 'alerts';
  /** CAP documents as text, in document order. */
  embedded: string[];
  linked: LinkedEntry[];
}

export class NotAFeedError extends Error {
  override readonly name = 'NotAFeedError';
}

const childrenNamed = (el: XmlElement, name: string, ns?: string) => el.children.filter((c) => c.name === name && (ns === undefined || c.ns === ns));
const text = (el: XmlElement | undefined) => el?.text.trim() ?? '';

function resolveUrl(href: string, base: string): string | undefined {
  try {
    return new URL(href, base).href;
  } catch {
    return undefined;
  }
}

/** What hides tags from view: comments, CDATA sections and processing instructions, by opener and closer. */
const OPAQUE: readonly (readonly [string, string])[] = [
  ['<!--', '-->'],
  ['<![CDATA[', ']]>'],
  ['<?', '?>'],
];

/**
 * Hides comments, CDATA sections and processing instructions behind spaces of the same
 * length, so positions hold and tags inside them are not seen. One pass with indexOf, in
 * time linear in the document: a lazy regular expression would rescan to the end from
 * every opener that has no closer, quadratic in a hostile feed of unclosed `<!--`.
 */
export function maskOpaque(xml: string): string {
  let out = '';
  let from = 0;
  for (let i = xml.indexOf('<'); i >= 0; i = xml.indexOf('<', i + 1)) {
    const kind = OPAQUE.find(([open]) => xml.startsWith(open, i));
    if (!kind) continue;
    const closeAt = xml.indexOf(kind[1], i + kind[0].length);
    // Unclosed: the rest is opaque (the parser has refused such a document already).
    const end = closeAt < 0 ? xml.length : closeAt + kind[1].length;
    out += xml.slice(from, i) + ' '.repeat(end - i);
    from = end;
    i = end - 1;
  }
  return out + xml.slice(from);
}

/** The text of every element named `alert` (any prefix), in document order, each with its prefix. */
function alertTexts(xml: string): { prefix: string; text: string }[] {
  const masked = maskOpaque(xml);
  const out: { prefix: string; text: string }[] = [];
  const open = /<(?:([A-Za-z_][\w.-]*):)?alert(?=[\s/>])/g;
  for (let m = open.exec(masked); m; m = open.exec(masked)) {
    const prefix = m[1] ?? '';
    const tagEnd = masked.indexOf('>', m.index);
    if (tagEnd < 0) break;
    if (masked[tagEnd - 1] === '/') {
      out.push({ prefix, text: xml.slice(m.index, tagEnd + 1) });
      continue;
    }
    // CAP alerts do not nest: the first closing tag of the same name ends it.
    const close = masked.indexOf(`</${prefix ? `${prefix}:` : ''}alert>`, tagEnd);
    if (close < 0) break;
    const end = close + `</${prefix ? `${prefix}:` : ''}alert>`.length;
    out.push({ prefix, text: xml.slice(m.index, end) });
    open.lastIndex = end;
  }
  return out;
}

/** Puts the namespace declaration of the alert's prefix on its own start tag when an ancestor held it. */
function standalone(found: { prefix: string; text: string }, ns: string): string {
  const attr = found.prefix ? `xmlns:${found.prefix}` : 'xmlns';
  const startTag = found.text.slice(0, found.text.indexOf('>'));
  if (new RegExp(`\\s${attr.replace('.', '\\.')}\\s*=`).test(startTag)) return found.text;
  const at = 1 + (found.prefix ? found.prefix.length + 1 : 0) + 'alert'.length;
  return `${found.text.slice(0, at)} ${attr}="${ns}"${found.text.slice(at)}`;
}

/** Every element named `alert` in the tree, in document order, with whether it is CAP's. */
function alertElements(el: XmlElement, out: XmlElement[] = []): XmlElement[] {
  if (el.name === 'alert') {
    out.push(el);
    return out; // never inside another alert
  }
  for (const c of el.children) alertElements(c, out);
  return out;
}

/** A CAP document escaped as text inside an element (Atom content of type text or html, an RSS description). */
function escapedCap(el: XmlElement | undefined): string | undefined {
  const t = el?.text.trim();
  if (!t) return undefined;
  return /^(<\?xml[^>]*\?>\s*)?<([A-Za-z_][\w.-]*:)?alert[\s>]/.test(t) && t.includes('urn:oasis:names:tc:emergency:cap:') ? t : undefined;
}

function atomLink(entry: XmlElement, base: string): string | undefined {
  const links = childrenNamed(entry, 'link', ATOM).filter((l) => l.attrs.href);
  const pick =
    links.find((l) => /cap\+xml/i.test(l.attrs.type ?? '')) ??
    links.find((l) => /xml/i.test(l.attrs.type ?? '') && (l.attrs.rel ?? 'alternate') === 'alternate') ??
    links.find((l) => (l.attrs.rel ?? 'alternate') === 'alternate') ??
    links[0];
  return pick ? resolveUrl(pick.attrs.href!, base) : undefined;
}

/**
 * Reads a polled document.
 * @throws CapRefusedError, CapMalformedError (not XML, or hostile), NotAFeedError (XML, but none of the four shapes).
 * @example readFeedDocument(body, 'https://alerts.example.gov/feed.atom').linked[0].url
 */
export function readFeedDocument(xml: string, baseUrl: string): FeedDocument {
  const root = readXml(xml, { maxBytes: CAP_MAX_BYTES });
  if (root.name === 'alert' && CAP_NS.has(root.ns)) return { kind: 'cap', embedded: [xml], linked: [] };

  // Embedded alerts as elements: the tree says which are CAP's, the text gives each as written.
  const elements = alertElements(root);
  const texts = alertTexts(xml);
  const embeddedByElement = new Map<XmlElement, string>();
  if (elements.length === texts.length) elements.forEach((el, i) => CAP_NS.has(el.ns) && embeddedByElement.set(el, standalone(texts[i]!, el.ns)));
  else if (elements.some((el) => CAP_NS.has(el.ns))) throw new NotAFeedError('the document’s CAP alerts could not be told apart from its text');
  const embeddedIn = (el: XmlElement) => alertElements(el).flatMap((a) => embeddedByElement.get(a) ?? []);

  const embedded: string[] = [];
  const linked: LinkedEntry[] = [];
  if (root.name === 'feed' && root.ns === ATOM) {
    for (const entry of childrenNamed(root, 'entry', ATOM)) {
      const content = childrenNamed(entry, 'content', ATOM)[0];
      const inside = [...embeddedIn(entry), ...[escapedCap(content)].filter((t): t is string => t !== undefined)];
      if (inside.length > 0) {
        embedded.push(...inside);
        continue;
      }
      const url = atomLink(entry, baseUrl);
      if (url === undefined) continue;
      const id = text(childrenNamed(entry, 'id', ATOM)[0]) || url;
      linked.push({ key: `${id}|${text(childrenNamed(entry, 'updated', ATOM)[0])}`, url });
    }
    return { kind: 'atom', embedded, linked };
  }
  if (root.name === 'rss' && root.ns === '') {
    for (const item of root.children.filter((c) => c.name === 'channel').flatMap((ch) => childrenNamed(ch, 'item', ''))) {
      const inside = [...embeddedIn(item), ...[escapedCap(childrenNamed(item, 'description', '')[0])].filter((t): t is string => t !== undefined)];
      if (inside.length > 0) {
        embedded.push(...inside);
        continue;
      }
      const enclosure = childrenNamed(item, 'enclosure', '').find((e) => e.attrs.url && /xml/i.test(e.attrs.type ?? ''));
      const href = enclosure?.attrs.url ?? text(childrenNamed(item, 'link', '')[0]);
      const url = href ? resolveUrl(href, baseUrl) : undefined;
      if (url === undefined) continue;
      const id = text(childrenNamed(item, 'guid', '')[0]) || url;
      linked.push({ key: `${id}|${text(childrenNamed(item, 'pubDate', '')[0])}`, url });
    }
    return { kind: 'rss', embedded, linked };
  }
  if (embeddedByElement.size > 0) return { kind: 'alerts', embedded: [...embeddedByElement.values()], linked: [] };
  throw new NotAFeedError(`the document element <${root.name.slice(0, 40)}> is not a CAP alert, an Atom feed or an RSS feed`);
}

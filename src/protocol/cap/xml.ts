/**
 * The XML floor of the CAP reader: bytes in, a small namespace-resolved element tree out,
 * with everything that lets a document attack its reader refused first.
 *
 * - A DTD (`<!DOCTYPE`) is refused outright: it is how external entities (XXE, OWASP's
 *   "XML External Entity Prevention") and entity expansion (billion laughs) get in, and no
 *   CAP document needs one. `<!ENTITY` anywhere is refused the same way.
 * - fast-xml-parser runs with entity processing off; this file decodes only what XML 1.0
 *   defines without a DTD (§4.6: lt, gt, amp, apos, quot; §4.1 character references).
 *   Any other `&name;` is refused (it could only have come from a DTD).
 * - Nesting is capped (CAP needs 4 levels under <alert>; 64 leaves room for foreign
 *   extensions such as an XML-DSig Signature) and the input size is the caller's limit.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { CapMalformedError, CapRefusedError } from './errors.ts';

export interface XmlElement {
  /** Local name, without prefix. */
  name: string;
  /** Namespace URI, or '' when none is in scope. */
  ns: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Character data directly inside this element, entities decoded, CDATA as written. */
  text: string;
}

export interface ReadXmlOptions {
  /** Largest input accepted, in bytes of UTF-8. */
  maxBytes: number;
  /** Deepest element nesting accepted. */
  maxDepth?: number;
}

const DEFAULT_MAX_DEPTH = 64;
const CDATA = '__cdata';
const ATTRS = ':@';
const TEXT = '#text';

const parser = (maxDepth: number) =>
  new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    processEntities: false,
    htmlEntities: false,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    cdataPropName: CDATA,
    maxNestedTags: maxDepth,
  });

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

/** Decodes XML 1.0's predefined entities and character references; refuses any other. */
function decodeText(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&\s]{0,32});|&/g, (match, ref: string | undefined) => {
    if (ref === undefined) throw new CapMalformedError("'&' that does not start a reference");
    if (Object.hasOwn(PREDEFINED, ref)) return PREDEFINED[ref]!;
    const num = /^#x([0-9a-fA-F]{1,6})$/.exec(ref) ?? /^#([0-9]{1,7})$/.exec(ref);
    if (num) {
      const cp = Number.parseInt(num[1]!, ref[1] === 'x' ? 16 : 10);
      // XML 1.0 §2.2 Char: no NUL, no surrogates, nothing past U+10FFFF.
      const ok = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
      if (!ok) throw new CapMalformedError(`character reference ${match} is not an XML character`);
      return String.fromCodePoint(cp);
    }
    throw new CapRefusedError('entity', `entity reference ${match.slice(0, 40)} is not one XML predefines; entities are not expanded`);
  });
}

type RawNode = Record<string, unknown>;

function toText(input: string | Uint8Array, maxBytes: number): string {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > maxBytes) throw new CapRefusedError('too_large', `document of ${size} bytes exceeds the ${maxBytes}-byte limit`);
  if (typeof input === 'string') return input.replace(/^\uFEFF/, '');
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(input);
  } catch (err) {
    throw new CapMalformedError('the document is not UTF-8', undefined, { cause: err });
  }
}

/**
 * Reads one XML document into an element tree.
 * @throws CapRefusedError, CapMalformedError: nothing else.
 */
export function readXml(input: string | Uint8Array, options: ReadXmlOptions): XmlElement {
  const text = toText(input, options.maxBytes);
  // Refused before any parser sees them, whatever their case or position (a DTD in a
  // comment or CDATA is refused too: no CAP document carries one).
  if (/<!DOCTYPE/i.test(text)) throw new CapRefusedError('doctype', 'the document has a DTD (<!DOCTYPE>); CAP needs none');
  if (/<!ENTITY/i.test(text)) throw new CapRefusedError('doctype', 'the document declares an entity (<!ENTITY>)');
  const encoding = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']*)["']/.exec(text)?.[1];
  if (encoding !== undefined && !/^(utf-8|us-ascii)$/i.test(encoding)) {
    throw new CapMalformedError(`encoding "${encoding.slice(0, 40)}" is not UTF-8`);
  }
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  let nodes: RawNode[];
  try {
    const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
    if (valid !== true) {
      throw new CapMalformedError(valid.err.msg, { line: valid.err.line, column: valid.err.col });
    }
    nodes = parser(maxDepth).parse(text) as RawNode[];
  } catch (err) {
    if (err instanceof CapMalformedError) throw err;
    if (err instanceof Error && /nested tags/i.test(err.message)) {
      throw new CapRefusedError('too_deep', `elements nest deeper than ${maxDepth}`);
    }
    // RangeError (stack) and the library's own errors become ours: callers see one type.
    throw new CapMalformedError(err instanceof Error ? err.message.slice(0, 200) : 'unreadable XML', undefined, { cause: err });
  }
  const roots = nodes.filter((n) => elementName(n) !== undefined);
  const stray = nodes.find((n) => elementName(n) === undefined && typeof n[TEXT] === 'string' && (n[TEXT] as string).trim() !== '');
  if (roots.length !== 1 || stray) throw new CapMalformedError('an XML document has exactly one document element');
  return build(roots[0]!, new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]), 1, maxDepth);
}

function elementName(node: RawNode): string | undefined {
  for (const key of Object.keys(node)) if (key !== ATTRS && key !== TEXT && key !== CDATA) return key;
  return undefined;
}

function build(node: RawNode, scope: Map<string, string>, depth: number, maxDepth: number): XmlElement {
  if (depth > maxDepth) throw new CapRefusedError('too_deep', `elements nest deeper than ${maxDepth}`);
  const qname = elementName(node)!;
  const attrs: Record<string, string> = {};
  const raw = (node[ATTRS] ?? {}) as Record<string, unknown>;
  let inner = scope;
  for (const [key, value] of Object.entries(raw)) {
    const decoded = decodeText(String(value));
    if (key === 'xmlns' || key.startsWith('xmlns:')) {
      if (inner === scope) inner = new Map(scope);
      inner.set(key === 'xmlns' ? '' : key.slice(6), decoded);
    } else {
      attrs[key] = decoded;
    }
  }
  const colon = qname.indexOf(':');
  const prefix = colon >= 0 ? qname.slice(0, colon) : '';
  const name = colon >= 0 ? qname.slice(colon + 1) : qname;
  const ns = inner.get(prefix);
  if (ns === undefined && prefix !== '') throw new CapMalformedError(`prefix "${prefix.slice(0, 40)}" is not declared`);
  const element: XmlElement = { name, ns: ns ?? '', attrs, children: [], text: '' };
  const parts: string[] = [];
  for (const child of (node[qname] ?? []) as RawNode[]) {
    if (typeof child[TEXT] === 'string' || typeof child[TEXT] === 'number') parts.push(decodeText(String(child[TEXT])));
    else if (child[CDATA] !== undefined) {
      for (const c of child[CDATA] as RawNode[]) if (c[TEXT] !== undefined) parts.push(String(c[TEXT]));
    } else if (elementName(child) !== undefined) element.children.push(build(child, inner, depth + 1, maxDepth));
  }
  element.text = parts.join('');
  return element;
}

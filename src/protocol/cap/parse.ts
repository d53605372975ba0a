/**
 * parseCap: a CAP 1.2 `<alert>` (OASIS CAP-v1.2, §3) from bytes to a typed CapAlert,
 * checked for the standard's required elements, cardinalities and enumerations, or one
 * CapError naming the element at fault. Pure: no I/O, no clock (whether an alert has
 * expired is the caller's question, asked with its own time).
 *
 * Tolerances, each because real feeds need it (docs/civic-alerts.md lists them):
 * elements in any order; white space around values; the CAP 1.1 namespace; `Z` or
 * fractional seconds in times (time.ts); untidy white space in polygons and circles and an
 * unclosed polygon ring (shapes.ts); bare identifiers in `<references>` (lists.ts);
 * elements of other namespaces (an XML-DSig `<Signature>`) and unknown CAP elements are
 * passed over.
 */
import { CapInvalidError } from './errors.ts';
import { parseReferences, splitCapList } from './lists.ts';
import { parseCircle, parsePolygon } from './shapes.ts';
import { parseCapTime } from './time.ts';
import {
  CAP_CATEGORIES,
  CAP_CERTAINTIES,
  CAP_MSG_TYPES,
  CAP_NAMESPACES,
  CAP_RESPONSE_TYPES,
  CAP_SCOPES,
  CAP_SEVERITIES,
  CAP_STATUSES,
  CAP_URGENCIES,
  type CapAlert,
  type CapArea,
  type CapInfo,
  type CapResource,
  type CapTime,
  type CapValuePair,
  type CapVersion,
} from './types.ts';
import { readXml, type XmlElement } from './xml.ts';

/** Largest CAP document read by default, in bytes: the limit Google Public Alerts sets for a CAP message. */
export const CAP_MAX_BYTES = 900 * 1024;

const XMLDSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';

export interface ParseCapOptions {
  /** Largest document accepted, in bytes; CAP_MAX_BYTES when absent. */
  maxBytes?: number;
}

/** One element under reading, with its path for errors. */
class Node {
  constructor(
    readonly el: XmlElement,
    readonly path: string,
    private readonly ns: string,
  ) {}

  /** Every CAP child called `name`, paths indexed (`/alert/info[0]`). */
  all(name: string): Node[] {
    return this.el.children
      .filter((c) => c.name === name && c.ns === this.ns)
      .map((c, i) => new Node(c, `${this.path}/${name}[${i}]`, this.ns));
  }

  /** The CAP child called `name` that may occur at most once. */
  one(name: string): Node | undefined {
    const found = this.all(name);
    if (found.length > 1) throw new CapInvalidError('duplicate', `<${name}> may occur only once`, found[1]!.path);
    return found[0] && new Node(found[0].el, `${this.path}/${name}`, this.ns);
  }

  value(): string {
    if (this.el.children.some((c) => c.ns === this.ns)) {
      throw new CapInvalidError('format', `<${this.el.name}> holds text, not elements`, this.path);
    }
    return this.el.text.trim();
  }

  optional(name: string): string | undefined {
    const v = this.one(name)?.value();
    return v === '' ? undefined : v;
  }

  required(name: string): string {
    const v = this.optional(name);
    if (v === undefined) throw new CapInvalidError('missing', `<${name}> is required`, `${this.path}/${name}`);
    return v;
  }

  enumerated<T extends string>(node: Node, allowed: readonly T[]): T {
    const v = node.value();
    if (!(allowed as readonly string[]).includes(v)) {
      throw new CapInvalidError('enumeration', `"${v.slice(0, 40)}" is not one of ${allowed.join(', ')}`, node.path);
    }
    return v as T;
  }

  requiredEnum<T extends string>(name: string, allowed: readonly T[]): T {
    this.required(name);
    return this.enumerated(this.one(name)!, allowed);
  }

  time(name: string, required = false): CapTime | undefined {
    const text = required ? this.required(name) : this.optional(name);
    if (text === undefined) return undefined;
    const t = parseCapTime(text);
    if (!t) throw new CapInvalidError('format', `"${text.slice(0, 40)}" is not a CAP dateTime (2003-06-17T14:57:00-07:00)`, `${this.path}/${name}`);
    return t;
  }

  decimal(name: string): number | undefined {
    const text = this.optional(name);
    if (text === undefined) return undefined;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) throw new CapInvalidError('format', `"${text.slice(0, 40)}" is not a decimal`, `${this.path}/${name}`);
    return Number(text);
  }

  pairs(name: string): CapValuePair[] {
    return this.all(name).map((n) => ({ valueName: n.required('valueName'), value: n.optional('value') ?? '' }));
  }
}

/** CAP 1.2 §3.2.1: identifier and sender carry no spaces, commas or restricted characters. */
function identifierLike(node: Node, name: string): string {
  const v = node.required(name);
  if (/[\s,<&]/.test(v)) {
    throw new CapInvalidError('format', `<${name}> may not hold spaces, commas, < or &`, `${node.path}/${name}`);
  }
  return v;
}

/**
 * Reads a CAP 1.2 (or 1.1) alert.
 * @throws CapRefusedError (hostile XML), CapMalformedError (not XML), CapInvalidError
 *   (not CAP): nothing else, whatever the input.
 * @example const alert = parseCap(body); alert.infos[0]?.areas[0]?.polygons
 */
export function parseCap(input: string | Uint8Array, options: ParseCapOptions = {}): CapAlert {
  const root = readXml(input, { maxBytes: options.maxBytes ?? CAP_MAX_BYTES });
  if (root.name !== 'alert') throw new CapInvalidError('root', `the document element is <${root.name.slice(0, 40)}>, not <alert>`, `/${root.name.slice(0, 40)}`);
  const version = (Object.keys(CAP_NAMESPACES) as CapVersion[]).find((v) => CAP_NAMESPACES[v] === root.ns);
  if (!version) {
    throw new CapInvalidError('namespace', `<alert> is in namespace "${root.ns.slice(0, 80)}", not ${CAP_NAMESPACES['1.2']}`, '/alert');
  }
  const alert = new Node(root, '/alert', root.ns);
  const scope = alert.requiredEnum('scope', CAP_SCOPES);
  const addresses = splitCapList(alert.optional('addresses') ?? '');
  // CAP 1.2 §3.2.1 <addresses>: "Required when <scope> is Private".
  if (scope === 'Private' && addresses.length === 0) {
    throw new CapInvalidError('missing', '<addresses> is required when <scope> is Private', '/alert/addresses');
  }
  const referencesText = alert.optional('references');
  const refs = parseReferences(referencesText ?? '');
  if (refs.bad !== undefined) {
    throw new CapInvalidError('format', `"${refs.bad.slice(0, 80)}" is not sender,identifier,sent`, '/alert/references');
  }
  const result: CapAlert = {
    version,
    identifier: identifierLike(alert, 'identifier'),
    sender: identifierLike(alert, 'sender'),
    sent: alert.time('sent', true)!,
    status: alert.requiredEnum('status', CAP_STATUSES),
    msgType: alert.requiredEnum('msgType', CAP_MSG_TYPES),
    scope,
    addresses,
    codes: alert.all('code').map((n) => n.value()).filter((c) => c !== ''),
    references: refs.references,
    incidents: splitCapList(alert.optional('incidents') ?? ''),
    infos: alert.all('info').map(readInfo),
    hasSignature: root.children.some((c) => c.name === 'Signature' && c.ns === XMLDSIG_NS),
  };
  const source = alert.optional('source');
  if (source !== undefined) result.source = source;
  const restriction = alert.optional('restriction');
  if (restriction !== undefined) result.restriction = restriction;
  const note = alert.optional('note');
  if (note !== undefined) result.note = note;
  return result;
}

function readInfo(info: Node): CapInfo {
  const categories = info.all('category').map((n) => info.enumerated(n, CAP_CATEGORIES));
  if (categories.length === 0) throw new CapInvalidError('missing', '<category> is required', `${info.path}/category`);
  const out: CapInfo = {
    // CAP 1.2 §3.2.2 <language>: "If not present, an implicit default value of 'en-US' SHALL be assumed."
    language: info.optional('language') ?? 'en-US',
    categories,
    event: info.required('event'),
    responseTypes: info.all('responseType').map((n) => info.enumerated(n, CAP_RESPONSE_TYPES)),
    urgency: info.requiredEnum('urgency', CAP_URGENCIES),
    severity: info.requiredEnum('severity', CAP_SEVERITIES),
    certainty: info.requiredEnum('certainty', CAP_CERTAINTIES),
    eventCodes: info.pairs('eventCode'),
    parameters: info.pairs('parameter'),
    resources: info.all('resource').map(readResource),
    areas: info.all('area').map(readArea),
  };
  for (const name of ['audience', 'senderName', 'headline', 'description', 'instruction', 'web', 'contact'] as const) {
    const v = info.optional(name);
    if (v !== undefined) out[name] = v;
  }
  for (const name of ['effective', 'onset', 'expires'] as const) {
    const t = info.time(name);
    if (t !== undefined) out[name] = t;
  }
  return out;
}

function readResource(resource: Node): CapResource {
  const out: CapResource = { resourceDesc: resource.required('resourceDesc'), mimeType: resource.required('mimeType') };
  const size = resource.optional('size');
  if (size !== undefined) {
    if (!/^\d{1,15}$/.test(size)) throw new CapInvalidError('format', `"${size.slice(0, 40)}" is not a size in bytes`, `${resource.path}/size`);
    out.size = Number(size);
  }
  for (const name of ['uri', 'derefUri', 'digest'] as const) {
    const v = resource.optional(name);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

function readArea(area: Node): CapArea {
  const out: CapArea = {
    areaDesc: area.required('areaDesc'),
    polygons: area.all('polygon').map((n) => {
      const p = parsePolygon(n.value());
      if (typeof p === 'string') throw new CapInvalidError('format', p, n.path);
      return p;
    }),
    circles: area.all('circle').map((n) => {
      const c = parseCircle(n.value());
      if (typeof c === 'string') throw new CapInvalidError('format', c, n.path);
      return c;
    }),
    geocodes: area.pairs('geocode'),
  };
  const altitude = area.decimal('altitude');
  const ceiling = area.decimal('ceiling');
  // CAP 1.2 §3.2.4 <ceiling>: "MAY only be used in combination with the altitude element".
  if (ceiling !== undefined && altitude === undefined) {
    throw new CapInvalidError('missing', '<ceiling> needs <altitude>', `${area.path}/altitude`);
  }
  if (altitude !== undefined) out.altitude = altitude;
  if (ceiling !== undefined) out.ceiling = ceiling;
  return out;
}

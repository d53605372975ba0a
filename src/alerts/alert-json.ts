/**
 * The JSON form of a CAP alert (an operator's composer, an app's backend): the same fields
 * as CAP 1.2, named as protocol/cap's CapAlert names them, points as `{lat, lon}`. It is
 * written out as CAP XML and read by parseCap, so both forms meet the same rules and are
 * stored the same way; a refusal names the member by JSON pointer (`#/infos/0/areas/1/polygons/0`).
 * docs/civic-alerts.md#the-json-form.
 */
import { Type, type Static } from '@sinclair/typebox';
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
} from '../protocol/cap/types.ts';

const oneOf = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Text = (maxLength = 2000) => Type.String({ minLength: 1, maxLength });
// CAP 1.2 §3.2.1: identifier and sender hold no spaces, commas, < or &.
const Name = Type.String({ minLength: 1, maxLength: 256, pattern: '^[^\\s,<&]+$' });
const Time = Type.String({ maxLength: 40, description: 'A CAP dateTime: 2026-12-01T14:57:00-07:00 (Z is accepted)', examples: ['2026-12-01T14:57:00-07:00'] });
const Pair = Type.Object({ valueName: Text(256), value: Type.String({ maxLength: 2000 }) }, { additionalProperties: false });
const Point = Type.Object({ lat: Type.Number({ minimum: -90, maximum: 90 }), lon: Type.Number({ minimum: -180, maximum: 180 }) }, { additionalProperties: false });

const Area = Type.Object(
  {
    areaDesc: Text(),
    polygons: Type.Optional(Type.Array(Type.Array(Point, { minItems: 3, maxItems: 10_000, description: 'lat/lon points; the ring is closed if the last is not the first' }), { maxItems: 64 })),
    circles: Type.Optional(Type.Array(Type.Object({ lat: Point.properties.lat, lon: Point.properties.lon, radiusKm: Type.Number({ minimum: 0, maximum: 20_000 }) }, { additionalProperties: false }), { maxItems: 64 })),
    geocodes: Type.Optional(Type.Array(Pair, { maxItems: 1000 })),
  },
  { additionalProperties: false },
);

const Info = Type.Object(
  {
    language: Type.Optional(Type.String({ minLength: 1, maxLength: 35 })),
    categories: Type.Array(oneOf(CAP_CATEGORIES), { minItems: 1, maxItems: 12 }),
    event: Text(),
    responseTypes: Type.Optional(Type.Array(oneOf(CAP_RESPONSE_TYPES), { maxItems: 9 })),
    urgency: oneOf(CAP_URGENCIES),
    severity: oneOf(CAP_SEVERITIES),
    certainty: oneOf(CAP_CERTAINTIES),
    audience: Type.Optional(Text()),
    eventCodes: Type.Optional(Type.Array(Pair, { maxItems: 100 })),
    effective: Type.Optional(Time),
    onset: Type.Optional(Time),
    expires: Type.Optional(Time),
    senderName: Type.Optional(Text()),
    headline: Type.Optional(Text()),
    description: Type.Optional(Text(20_000)),
    instruction: Type.Optional(Text(20_000)),
    web: Type.Optional(Text()),
    contact: Type.Optional(Text()),
    parameters: Type.Optional(Type.Array(Pair, { maxItems: 100 })),
    areas: Type.Optional(Type.Array(Area, { maxItems: 64 })),
  },
  { additionalProperties: false },
);

export const CapAlertJson = Type.Object(
  {
    identifier: Name,
    sender: Name,
    sent: Time,
    status: oneOf(CAP_STATUSES),
    msgType: oneOf(CAP_MSG_TYPES),
    scope: oneOf(CAP_SCOPES),
    source: Type.Optional(Text()),
    restriction: Type.Optional(Text()),
    addresses: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 256, pattern: '^[^"]+$' }), { maxItems: 1000 })),
    codes: Type.Optional(Type.Array(Text(256), { maxItems: 100 })),
    note: Type.Optional(Text()),
    references: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 600, pattern: '^\\S+$', description: 'sender,identifier,sent (or a bare identifier)' }), { maxItems: 100 })),
    incidents: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 256, pattern: '^[^"]+$' }), { maxItems: 100 })),
    infos: Type.Optional(Type.Array(Info, { maxItems: 16 })),
  },
  { additionalProperties: false, description: 'A CAP 1.2 alert as JSON: docs/civic-alerts.md#the-json-form' },
);
export type CapAlertJson = Static<typeof CapAlertJson>;

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** A number as CAP's decimal degrees: never an exponent (String(1e-7) is "1e-7"). */
const decimal = (n: number) => (String(n).includes('e') ? n.toFixed(20).replace(/0+$/, '').replace(/\.$/, '') : String(n));
const el = (name: string, value: string | undefined) => (value === undefined ? '' : `<${name}>${escape(value)}</${name}>`);
const quoted = (items: string[] | undefined) => (items === undefined || items.length === 0 ? undefined : items.map((i) => (/\s/.test(i) ? `"${i}"` : i)).join(' '));
const pairs = (name: string, list: Array<{ valueName: string; value: string }> | undefined) => (list ?? []).map((p) => `<${name}>${el('valueName', p.valueName)}${el('value', p.value)}</${name}>`).join('');

/** The CAP 1.2 XML of a JSON alert, element by element in the schema's order. */
export function capXmlFromJson(a: CapAlertJson): string {
  const infos = (a.infos ?? []).map((i) => {
    const areas = (i.areas ?? []).map((ar) =>
      '<area>' +
      el('areaDesc', ar.areaDesc) +
      (ar.polygons ?? []).map((ring) => el('polygon', ring.map((p) => `${decimal(p.lat)},${decimal(p.lon)}`).join(' '))).join('') +
      (ar.circles ?? []).map((c) => el('circle', `${decimal(c.lat)},${decimal(c.lon)} ${decimal(c.radiusKm)}`)).join('') +
      pairs('geocode', ar.geocodes) +
      '</area>',
    );
    return '<info>' + el('language', i.language) + i.categories.map((c) => el('category', c)).join('') + el('event', i.event) +
      (i.responseTypes ?? []).map((r) => el('responseType', r)).join('') + el('urgency', i.urgency) + el('severity', i.severity) + el('certainty', i.certainty) +
      el('audience', i.audience) + pairs('eventCode', i.eventCodes) + el('effective', i.effective) + el('onset', i.onset) + el('expires', i.expires) +
      el('senderName', i.senderName) + el('headline', i.headline) + el('description', i.description) + el('instruction', i.instruction) + el('web', i.web) +
      el('contact', i.contact) + pairs('parameter', i.parameters) + areas.join('') + '</info>';
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<alert xmlns="${CAP_NAMESPACES['1.2']}">` +
    el('identifier', a.identifier) + el('sender', a.sender) + el('sent', a.sent) + el('status', a.status) + el('msgType', a.msgType) + el('source', a.source) +
    el('scope', a.scope) + el('restriction', a.restriction) + el('addresses', quoted(a.addresses)) + (a.codes ?? []).map((c) => el('code', c)).join('') +
    el('note', a.note) + el('references', a.references?.join(' ')) + el('incidents', quoted(a.incidents)) + infos.join('') + '</alert>';
}

const MEMBERS: Record<string, string> = {
  info: 'infos', area: 'areas', polygon: 'polygons', circle: 'circles', geocode: 'geocodes', category: 'categories',
  responseType: 'responseTypes', eventCode: 'eventCodes', parameter: 'parameters', resource: 'resources', code: 'codes',
};

/**
 * The JSON pointer (as a URI fragment) of the member that became a CAP element:
 * `/alert/info[0]/area[1]/polygon[0]` is `#/infos/0/areas/1/polygons/0`.
 */
export function pointerOfElement(element: string): string {
  const parts = element.split('/').filter((p) => p !== '').slice(1);
  const out: string[] = [];
  for (const part of parts) {
    const m = /^([A-Za-z]+)(?:\[(\d+)\])?$/.exec(part);
    if (!m) break;
    out.push(MEMBERS[m[1]!] ?? m[1]!);
    if (m[2] !== undefined) out.push(m[2]);
  }
  return `#/${out.join('/')}`;
}

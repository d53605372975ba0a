/**
 * The typed form of a CAP 1.2 alert (OASIS Common Alerting Protocol v1.2, §3.2) as
 * parseCap() returns it. Names follow the standard's elements; repeatable elements become
 * arrays (plural names), optional ones are absent rather than empty.
 */

export const CAP_NAMESPACES = {
  '1.2': 'urn:oasis:names:tc:emergency:cap:1.2',
  // CAP 1.1 documents are still published; their elements are a subset of 1.2's.
  '1.1': 'urn:oasis:names:tc:emergency:cap:1.1',
} as const;
export type CapVersion = keyof typeof CAP_NAMESPACES;

export const CAP_STATUSES = ['Actual', 'Exercise', 'System', 'Test', 'Draft'] as const;
export const CAP_MSG_TYPES = ['Alert', 'Update', 'Cancel', 'Ack', 'Error'] as const;
export const CAP_SCOPES = ['Public', 'Restricted', 'Private'] as const;
export const CAP_CATEGORIES = [
  'Geo', 'Met', 'Safety', 'Security', 'Rescue', 'Fire', 'Health', 'Env', 'Transport', 'Infra', 'CBRNE', 'Other',
] as const;
export const CAP_RESPONSE_TYPES = [
  'Shelter', 'Evacuate', 'Prepare', 'Execute', 'Avoid', 'Monitor', 'Assess', 'AllClear', 'None',
] as const;
export const CAP_URGENCIES = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'] as const;
export const CAP_SEVERITIES = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] as const;
export const CAP_CERTAINTIES = ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'] as const;

export type CapStatus = (typeof CAP_STATUSES)[number];
export type CapMsgType = (typeof CAP_MSG_TYPES)[number];
export type CapScope = (typeof CAP_SCOPES)[number];
export type CapCategory = (typeof CAP_CATEGORIES)[number];
export type CapResponseType = (typeof CAP_RESPONSE_TYPES)[number];
export type CapUrgency = (typeof CAP_URGENCIES)[number];
export type CapSeverity = (typeof CAP_SEVERITIES)[number];
export type CapCertainty = (typeof CAP_CERTAINTIES)[number];

/** A CAP dateTime: the text as written and the instant it names. */
export interface CapTime {
  text: string;
  /** Milliseconds since the epoch (UTC). */
  epochMs: number;
  /** The offset written, in minutes east of UTC (`-07:00` is -420; `Z` and `-00:00` are 0). */
  offsetMinutes: number;
}

/**
 * One entry of `<references>`. The standard writes `sender,identifier,sent`; feeds in the
 * wild also send a bare `identifier`, so sender and sent may be absent.
 */
export interface CapReference {
  sender?: string;
  identifier: string;
  sent?: CapTime;
}

/** A `valueName`/`value` pair (`eventCode`, `parameter`, `geocode`). */
export interface CapValuePair {
  valueName: string;
  value: string;
}

export interface CapPoint {
  lat: number;
  lon: number;
}

/** A closed ring of points (first equals last), in the order written. */
export interface CapPolygon {
  points: CapPoint[];
}

export interface CapCircle {
  center: CapPoint;
  /** Kilometres; 0 is a point (see area.ts for the buffer it is given). */
  radiusKm: number;
}

export interface CapArea {
  areaDesc: string;
  polygons: CapPolygon[];
  circles: CapCircle[];
  geocodes: CapValuePair[];
  /** Feet above mean sea level (CAP §3.2.4). */
  altitude?: number;
  ceiling?: number;
}

export interface CapResource {
  resourceDesc: string;
  mimeType: string;
  size?: number;
  uri?: string;
  /** Base64 content carried inline (may be large). */
  derefUri?: string;
  digest?: string;
}

export interface CapInfo {
  /** RFC 3066 tag; `en-US` when the element is absent (CAP §3.2.2). */
  language: string;
  categories: CapCategory[];
  event: string;
  responseTypes: CapResponseType[];
  urgency: CapUrgency;
  severity: CapSeverity;
  certainty: CapCertainty;
  audience?: string;
  eventCodes: CapValuePair[];
  effective?: CapTime;
  onset?: CapTime;
  expires?: CapTime;
  senderName?: string;
  headline?: string;
  description?: string;
  instruction?: string;
  web?: string;
  contact?: string;
  parameters: CapValuePair[];
  resources: CapResource[];
  areas: CapArea[];
}

export interface CapAlert {
  /** Which CAP namespace the document used. */
  version: CapVersion;
  identifier: string;
  sender: string;
  sent: CapTime;
  status: CapStatus;
  msgType: CapMsgType;
  source?: string;
  scope: CapScope;
  restriction?: string;
  addresses: string[];
  codes: string[];
  note?: string;
  references: CapReference[];
  incidents: string[];
  infos: CapInfo[];
  /** Whether an XML-DSig `<Signature>` element is present (not whether it verifies). */
  hasSignature: boolean;
}

/** Test helper: small CAP 1.2 documents with the fields a test cares about. */
export interface CapFields {
  identifier: string;
  sender?: string;
  sent?: string;
  status?: string;
  msgType?: string;
  scope?: string;
  references?: string;
  /** `<expires>` of the one info; no info at all when `info` is false. */
  expires?: string;
  info?: boolean;
  severity?: string;
  area?: string;
}

export function capXml(f: CapFields): string {
  const info = f.info === false
    ? ''
    : `<info><category>Met</category><event>Storm</event><urgency>Immediate</urgency><severity>${f.severity ?? 'Severe'}</severity><certainty>Observed</certainty>` +
      `${f.expires ? `<expires>${f.expires}</expires>` : ''}<headline>Storm ${f.identifier}</headline>` +
      `<area><areaDesc>Somewhere</areaDesc>${f.area ?? '<circle>38.5,-120.0 10</circle>'}</area></info>`;
  return `<?xml version="1.0" encoding="UTF-8"?><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">` +
    `<identifier>${f.identifier}</identifier><sender>${f.sender ?? 'w@nws.example'}</sender><sent>${f.sent ?? '2026-12-01T10:00:00-00:00'}</sent>` +
    `<status>${f.status ?? 'Actual'}</status><msgType>${f.msgType ?? 'Alert'}</msgType><scope>${f.scope ?? 'Public'}</scope>` +
    `${f.references ? `<references>${f.references}</references>` : ''}${info}</alert>`;
}

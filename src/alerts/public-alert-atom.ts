/**
 * The public alerts as an Atom feed (RFC 4287; pure): one entry per CAP message, its
 * `<content type="application/cap+xml">` the message as received (RFC 4287 §4.1.3.3: an
 * XML media type's content is its single child element), without its XML declaration,
 * which cannot stand inside another document. This is the shape Google Public Alerts and
 * the NWS publish, so another CAP reader (Carillon's own feeds among them) can follow it.
 */
import type { PublicAlert } from './public-alerts.ts';

/** Escapes text for XML character data and attribute values (XML 1.0 §2.4). */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** The CAP message as it can sit inside the feed: declaration, BOM and white space at the ends dropped. */
export function embeddableCap(xml: string): string {
  return xml.replace(/^\uFEFF/, '').replace(/^\s*<\?xml[^>]*\?>/, '').trim();
}

export interface AtomLinks {
  /** The feed's own URL (`rel="self"`). */
  self: string;
  /** The HTML page. */
  page: string;
  alert: (id: string) => string;
  /** An IRI naming the feed for good (RFC 4287 §4.2.6), and one per alert. */
  feedId: string;
  alertId: (id: string) => string;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function renderAlertAtom(appName: string, alerts: readonly PublicAlert[], links: AtomLinks, now: number): string {
  const updated = alerts.reduce((m, a) => Math.max(m, Number(a.row.received_at)), 0) || now;
  const entries = alerts.map(({ row, cap }) => {
    const info = cap.infos[0];
    const title = info?.headline ?? info?.event ?? `${cap.msgType} ${cap.identifier}`;
    const summary = info?.description ? `<summary>${escapeXml(info.description)}</summary>` : '';
    // The JSON form is stored as the CAP XML it was written out as; an alert without XML has only its link.
    const content = row.cap_xml ? `<content type="application/cap+xml">${embeddableCap(row.cap_xml)}</content>` : '';
    return `<entry><id>${escapeXml(links.alertId(row.id))}</id><title>${escapeXml(title)}</title><updated>${iso(Number(row.received_at))}</updated>` +
      `<published>${iso(Number(row.sent_at))}</published><author><name>${escapeXml(info?.senderName ?? cap.sender)}</name></author>` +
      `<category term="${escapeXml(cap.msgType)}"/><link rel="alternate" type="text/html" href="${escapeXml(links.alert(row.id))}"/>${summary}${content}</entry>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><id>${escapeXml(links.feedId)}</id><title>${escapeXml(`Alerts: ${appName}`)}</title>` +
    `<updated>${iso(updated)}</updated><author><name>${escapeXml(appName)}</name></author><generator>Carillon</generator>` +
    `<link rel="self" type="application/atom+xml" href="${escapeXml(links.self)}"/><link rel="alternate" type="text/html" href="${escapeXml(links.page)}"/>` +
    `${entries.join('\n')}</feed>\n`;
}

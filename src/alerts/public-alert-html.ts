/**
 * The public alert page as HTML (pure): server-rendered, every value escaped, no script,
 * one inline style allowed by its hash in the Content-Security-Policy (CSP Level 3
 * §8.2 hash-source), so the policy allows nothing else: no script, no frame, no form, no
 * image, no other origin. Links in alerts (`<web>`) are shown only when they are http(s).
 */
import { createHash } from 'node:crypto';
import type { CapInfo, CapTime } from '../protocol/cap/types.ts';
import type { PublicAlert } from './public-alerts.ts';

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#111}
h1{font-size:1.6rem}article{border-left:.4rem solid #b00;padding:.2rem 1rem;margin:1.5rem 0}
.Moderate,.Minor,.Unknown{border-color:#c80}.meta{color:#555;font-size:.9rem}p{white-space:pre-line}`;

/** The policy the page is served with. */
export const PUBLIC_PAGE_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

/** Escapes text for HTML content and quoted attribute values (HTML §13.1.2.6). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const time = (t: CapTime | undefined) => (t ? `<time datetime="${escapeHtml(new Date(t.epochMs).toISOString())}">${escapeHtml(t.text)}</time>` : '');
const safeUrl = (u: string | undefined) => (u !== undefined && /^https?:\/\//i.test(u.trim()) ? u.trim() : undefined);

function page(title: string, body: string, lang = 'en'): string {
  return `<!doctype html><html lang="${escapeHtml(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

function infoSummary(info: CapInfo, href: string): string {
  return `<h2 lang="${escapeHtml(info.language)}"><a href="${escapeHtml(href)}">${escapeHtml(info.headline ?? info.event)}</a></h2>` +
    `<div class="meta">${escapeHtml(info.event)} · ${escapeHtml(info.severity)} · ${escapeHtml(info.urgency)} · ${escapeHtml(info.certainty)}${info.expires ? ` · until ${time(info.expires)}` : ''}</div>` +
    `<div class="meta">${escapeHtml(info.areas.map((a) => a.areaDesc).join('; '))}</div>`;
}

/** The list of active alerts; `alertHref` gives each alert's own page. */
export function renderAlertList(appName: string, alerts: readonly PublicAlert[], alertHref: (id: string) => string, atomHref: string): string {
  const title = `Alerts: ${appName}`;
  const items = alerts.map(({ row, cap }) => {
    const severity = cap.infos[0]?.severity ?? 'Unknown';
    const infos = cap.infos.length > 0 ? cap.infos.map((i) => infoSummary(i, alertHref(row.id))).join('') : `<h2><a href="${escapeHtml(alertHref(row.id))}">${escapeHtml(cap.msgType)} ${escapeHtml(cap.identifier)}</a></h2>`;
    return `<article class="${escapeHtml(severity)}">${infos}<div class="meta">From ${escapeHtml(cap.infos[0]?.senderName ?? cap.sender)}, sent ${time(cap.sent)}</div></article>`;
  });
  const body = `<h1>${escapeHtml(title)}</h1><p class="meta">Alerts in force now, newest first. <a href="${escapeHtml(atomHref)}">Atom feed of the CAP messages</a>.</p>` +
    (items.length > 0 ? items.join('') : '<p>No alerts are in force.</p>');
  return page(title, body);
}

function infoFull(info: CapInfo): string {
  const web = safeUrl(info.web);
  const para = (label: string, v: string | undefined) => (v ? `<h3>${label}</h3><p>${escapeHtml(v)}</p>` : '');
  return `<article class="${escapeHtml(info.severity)}" lang="${escapeHtml(info.language)}"><h2>${escapeHtml(info.headline ?? info.event)}</h2>` +
    `<div class="meta">${escapeHtml(info.event)} · severity ${escapeHtml(info.severity)} · urgency ${escapeHtml(info.urgency)} · certainty ${escapeHtml(info.certainty)}</div>` +
    `<div class="meta">${info.effective ? `from ${time(info.effective)} ` : ''}${info.onset ? `onset ${time(info.onset)} ` : ''}${info.expires ? `until ${time(info.expires)}` : ''}</div>` +
    para('What', info.description) + para('What to do', info.instruction) +
    `<h3>Where</h3><p>${escapeHtml(info.areas.map((a) => a.areaDesc).join('\n'))}</p>` +
    para('Contact', info.contact) +
    (web ? `<p><a href="${escapeHtml(web)}" rel="noopener noreferrer nofollow">${escapeHtml(web)}</a></p>` : '') +
    `<div class="meta">${escapeHtml(info.senderName ?? '')}</div></article>`;
}

/** One alert in full: every info (language) with its description, instruction and areas. */
export function renderAlertPage(appName: string, alert: PublicAlert, listHref: string): string {
  const { cap } = alert;
  const first = cap.infos[0];
  const title = `${first?.headline ?? first?.event ?? `${cap.msgType} ${cap.identifier}`}: ${appName}`;
  const body = `<p class="meta"><a href="${escapeHtml(listHref)}">All alerts of ${escapeHtml(appName)}</a></p>` +
    (cap.infos.length > 0 ? cap.infos.map(infoFull).join('') : `<h1>${escapeHtml(cap.msgType)} ${escapeHtml(cap.identifier)}</h1>`) +
    `<p class="meta">${escapeHtml(cap.msgType)} ${escapeHtml(cap.identifier)} from ${escapeHtml(cap.sender)}, sent ${time(cap.sent)}</p>`;
  return page(title, body, first?.language ?? 'en');
}

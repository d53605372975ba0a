import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { capSample } from './cap-vectors.ts';
import { capXml } from './cap-builder.ts';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { parseCap } from '../../src/protocol/cap/index.ts';
import { readFeedDocument } from '../../src/alerts/feeds/feed-document.ts';

const bare = (xml: string) => xml.replace(/^\s*<\?xml[^>]*\?>/, '').trim();

/** The public alert page, its Atom feed and one alert's page, over HTTP with no key. */
for (const kind of STORES) {
describe(`the public alert page (${kind})`, () => {
  let c: TestCarillon;
  let app: Awaited<ReturnType<TestCarillon['createApp']>>;
  let now = Date.parse('2026-12-01T12:00:00Z');
  const ids: Record<string, string> = {};
  const post = async (name: string, xml: string) => {
    const res = await c.api('POST', `/v1/apps/${app.id}/alerts`, { key: app.secretKey, body: xml, headers: { 'content-type': 'application/cap+xml' } });
    assert.ok(res.status === 201, JSON.stringify(res.body));
    ids[name] = res.body.id;
    return res.body;
  };

  before(async () => {
    c = await startCarillon(kind, {}, { now: () => now });
    app = await c.createApp('Ville de <Test> & "Co"');
    await post('quake', capSample('03').toString('utf8'));
    await post('amber', capSample('04').toString('utf8'));
    await post('expired', capSample('02').toString('utf8')); // expired in 2003: archived
    await post('exercise', capXml({ identifier: 'EX-1', status: 'Exercise' }));
    await post('original', capXml({ identifier: 'GONE-1', sent: '2026-12-01T09:00:00-00:00' }));
    await post('cancel', capXml({ identifier: 'GONE-2', msgType: 'Cancel', info: false, references: 'w@nws.example,GONE-1,2026-12-01T09:00:00-00:00' }));
    const json = await c.api('POST', `/v1/apps/${app.id}/alerts`, {
      key: app.secretKey,
      body: { identifier: 'XSS-1', sender: 'ops@city.example', sent: '2026-12-01T11:00:00Z', status: 'Actual', msgType: 'Alert', scope: 'Public', infos: [{ categories: ['Safety'], event: 'Test <b>', urgency: 'Immediate', severity: 'Extreme', certainty: 'Observed', headline: '<script>alert(1)</script>', description: 'Line one\n"quoted" & <i>', web: 'javascript:alert(2)', areas: [{ areaDesc: '<Centre>' }] }] },
    });
    assert.equal(json.status, 201, JSON.stringify(json.body));
    ids.xss = json.body.id;
  });
  after(() => c.stop());

  test('the HTML page lists what is in force, escaped, under a CSP that allows no script', async () => {
    const res = await c.api('GET', `/public/apps/${app.id}/alerts`);
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/);
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /script-src|unsafe-inline|\*/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    const html = res.body as string;
    assert.doesNotMatch(html, /<script/i);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(html, /Ville de &lt;Test&gt; &amp; &quot;Co&quot;/);
    assert.match(html, /EQ 3\.4 Imperial County CA/);
    assert.match(html, /Amber Alert in Los Angeles County/);
    assert.match(html, /<h2 lang="es-US">.*Alerta Amber en el condado de Los Ángeles/);
    for (const gone of ['expired', 'exercise', 'original', 'cancel']) assert.ok(!html.includes(ids[gone]!), `${gone} is not listed`);
    for (const shown of ['quake', 'amber', 'xss']) assert.ok(html.includes(`/public/apps/${app.id}/alerts/${ids[shown]}`), `${shown} is linked`);
    // The style is allowed by its hash, and it is the only style.
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const { createHash } = await import('node:crypto');
    assert.ok(csp.includes(`'sha256-${createHash('sha256').update(style).digest('base64')}'`));
  });

  test('one alert’s page shows its full text in every language; a cancelled or expired one is not there', async () => {
    const amber = await c.api('GET', `/public/apps/${app.id}/alerts/${ids.amber}`);
    assert.equal(amber.status, 200);
    const amberXml = capSample('04').toString('utf8');
    const description = /<description>([\s\S]*?)<\/description>/.exec(amberXml)![1]!;
    assert.ok((amber.body as string).includes(description.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').slice(0, 60)), 'the English description');
    assert.match(amber.body, /<article class="[A-Za-z]+" lang="es-US">/);
    const xss = await c.api('GET', `/public/apps/${app.id}/alerts/${ids.xss}`);
    assert.doesNotMatch(xss.body, /<script|href="javascript:/i);
    assert.match(xss.body, /&quot;quoted&quot; &amp; &lt;i&gt;/);
    for (const gone of ['expired', 'exercise', 'original']) {
      const res = await c.api('GET', `/public/apps/${app.id}/alerts/${ids[gone]}`);
      assert.deepEqual([res.status, res.body.code], [404, 'alert_not_found'], gone);
    }
  });

  test('the Atom feed is Atom and holds each CAP message as received', async () => {
    const res = await c.api('GET', `/public/apps/${app.id}/alerts.atom`);
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^application\/atom\+xml/);
    const atom = res.body as string;
    assert.equal(XMLValidator.validate(atom), true, 'well-formed');
    const feed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['entry', 'link'].includes(name) }).parse(atom).feed;
    assert.equal(feed.xmlns, 'http://www.w3.org/2005/Atom');
    // RFC 4287 §4.1.1: a feed has one id, title and updated, an author (or every entry has one).
    for (const el of ['id', 'title', 'updated', 'author']) assert.ok(feed[el] !== undefined, `feed/${el}`);
    assert.ok(feed.link.some((l: { rel: string }) => l.rel === 'self'));
    assert.ok(!Number.isNaN(Date.parse(feed.updated)) && /Z$/.test(feed.updated), 'an RFC 3339 date');
    // §4.1.2: each entry has id, title, updated; a link alternate or content.
    assert.equal(feed.entry.length, 4, 'quake, amber, the JSON one and the Cancel of the last day');
    for (const e of feed.entry) {
      for (const el of ['id', 'title', 'updated', 'author']) assert.ok(e[el] !== undefined, `entry/${el}`);
      assert.match(e.id, /^urn:carillon:alert:alr_/);
      assert.ok(e.link.some((l: { rel: string; href: string }) => l.rel === 'alternate' && l.href.includes('/public/apps/')));
      assert.equal(e.content.type, 'application/cap+xml');
    }
    const contents = [...atom.matchAll(/<content type="application\/cap\+xml">([\s\S]*?)<\/content>/g)].map((m) => m[1]!);
    assert.ok(contents.includes(bare(capSample('04').toString('utf8'))), 'the AMBER alert byte for byte, declaration dropped');
    assert.ok(contents.includes(bare(capSample('03').toString('utf8'))));
    for (const c of contents) assert.ok(parseCap(c).identifier);
    // Another CAP reader (Carillon's own feeds) follows the feed.
    const followed = readFeedDocument(atom, 'https://example.org/');
    assert.deepEqual(followed.embedded.map((x) => parseCap(x).identifier).sort(), ['GONE-2', 'KAR0-0306112239-SW', 'TRI13970876.2', 'XSS-1']);
  });

  test('turned off, or for an app that does not exist, the page answers the same 404', async () => {
    const off = await c.api('PUT', `/v1/apps/${app.id}/alert-settings`, { key: app.secretKey, body: { publicPage: false } });
    assert.deepEqual([off.status, off.body], [200, { publicPage: false, apnsCriticalAlerts: false, categories: {} }]);
    for (const path of [`/public/apps/${app.id}/alerts`, `/public/apps/${app.id}/alerts.atom`, `/public/apps/${app.id}/alerts/${ids.amber}`, '/public/apps/app_nope/alerts']) {
      const res = await c.api('GET', path);
      assert.deepEqual([res.status, res.body.code], [404, 'alert_page_not_found'], path);
    }
    await c.api('PUT', `/v1/apps/${app.id}/alert-settings`, { key: app.secretKey, body: { publicPage: true } });
    assert.equal((await c.api('GET', `/public/apps/${app.id}/alerts`)).status, 200);
    assert.deepEqual((await c.api('GET', `/v1/apps/${app.id}/alert-settings`, { key: app.secretKey })).body, { publicPage: true, apnsCriticalAlerts: false, categories: {} });
    const empty = await c.api('PUT', `/v1/apps/${app.id}/alert-settings`, { key: app.secretKey, body: {} });
    assert.deepEqual([empty.status, empty.body.code], [400, 'invalid_request'], 'a change that names no setting is refused');
  });

  test('an alert in force leaves the page, the feed and its own page when its expiry passes on the clock', async () => {
    const soon = await post('soon', capXml({ identifier: 'SOON-1', sent: '2026-12-01T11:30:00-00:00', expires: '2026-12-01T13:00:00-00:00' }));
    const inForce = async () => ({
      page: ((await c.api('GET', `/public/apps/${app.id}/alerts`)).body as string).includes(soon.id),
      feed: ((await c.api('GET', `/public/apps/${app.id}/alerts.atom`)).body as string).includes(soon.id),
      own: (await c.api('GET', `/public/apps/${app.id}/alerts/${soon.id}`)).status,
    });
    assert.deepEqual(await inForce(), { page: true, feed: true, own: 200 });
    now = Date.parse('2026-12-01T12:59:59Z');
    assert.deepEqual(await inForce(), { page: true, feed: true, own: 200 }, 'still in force a second before');
    now = Date.parse('2026-12-01T13:00:01Z');
    assert.deepEqual(await inForce(), { page: false, feed: false, own: 404 });
    const gone = await c.api('GET', `/public/apps/${app.id}/alerts/${soon.id}`);
    assert.equal(gone.body.code, 'alert_not_found');
  });
});
}

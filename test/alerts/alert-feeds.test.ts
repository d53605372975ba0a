import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { capSample } from './cap-vectors.ts';
import { capXml } from './cap-builder.ts';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { eventually } from '../support/eventually.ts';
import { FeedFetcher, FeedFetchError } from '../../src/alerts/feeds/feed-fetcher.ts';
import { readFeedDocument } from '../../src/alerts/feeds/feed-document.ts';

const sample = (p: string) => capSample(p).toString('utf8');
const bare = (xml: string) => xml.replace(/^\s*<\?xml[^>]*\?>\s*/, '').trimEnd();

/** A feed server on loopback: routes by path, counts requests and records what each sent. */
function feedServer(routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void>) {
  const seen: { path: string; ifNoneMatch: string | undefined; ifModifiedSince: string | undefined }[] = [];
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    seen.push({ path, ifNoneMatch: req.headers['if-none-match'], ifModifiedSince: req.headers['if-modified-since'] });
    const route = routes[path];
    if (!route) return void res.writeHead(404).end();
    route(req, res);
  });
  return { server, seen, count: (path: string) => seen.filter((s) => s.path === path).length };
}

function atomFeed(base: string): string {
  // Two entries link to CAP documents; one carries its CAP message in <content>; one in a
  // prefixed namespace declared on the feed element (it must be copied onto the alert).
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">
  <id>urn:test:feed</id><title>Test alerts</title><updated>2026-12-01T12:00:00Z</updated>
  <entry><id>urn:test:02</id><title>Thunderstorm</title><updated>2026-12-01T11:00:00Z</updated>
    <link rel="alternate" type="application/cap+xml" href="${base}/cap/02.xml"/></entry>
  <entry><id>urn:test:04</id><title>Amber</title><updated>2026-12-01T11:00:00Z</updated>
    <link href="/cap/04.xml"/></entry>
  <entry><id>urn:test:01</id><title>Advisory</title><updated>2026-12-01T11:00:00Z</updated>
    <content type="application/cap+xml">${bare(sample('01'))}</content></entry>
  <entry><id>urn:test:prefixed</id><title>Prefixed</title><updated>2026-12-01T11:00:00Z</updated>
    <content type="application/cap+xml"><cap:alert><cap:identifier>PFX-1</cap:identifier><cap:sender>w@nws.example</cap:sender><cap:sent>2026-12-01T10:00:00-00:00</cap:sent><cap:status>Actual</cap:status><cap:msgType>Alert</cap:msgType><cap:scope>Public</cap:scope></cap:alert></content></entry>
</feed>`;
}

for (const kind of STORES) {
describe(`CAP feeds polled on the injected clock (${kind})`, () => {
  let c: TestCarillon;
  let app: Awaited<ReturnType<TestCarillon['createApp']>>;
  let now = Date.parse('2026-12-01T12:00:00Z');
  let failing = true;
  let base = '';
  const srv = feedServer({
    '/feed.atom': (req, res) => {
      if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304, { etag: '"v1"' }).end();
      res.writeHead(200, { 'content-type': 'application/atom+xml', etag: '"v1"', 'last-modified': 'Tue, 01 Dec 2026 12:00:00 GMT' }).end(atomFeed(base));
    },
    '/cap/02.xml': (_req, res) => res.writeHead(200, { 'content-type': 'application/cap+xml' }).end(sample('02')),
    '/cap/04.xml': (_req, res) => res.writeHead(200, { 'content-type': 'application/cap+xml' }).end(sample('04')),
    '/single.xml': (_req, res) => res.writeHead(200, { 'content-type': 'application/cap+xml' }).end(sample('02')),
    '/big.xml': (_req, res) => res.writeHead(200, { 'content-type': 'application/xml' }).end(`<alert>${'x'.repeat(900 * 1024)}</alert>`),
    '/big-chunked.xml': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/xml' });
      for (let i = 0; i < 10; i++) res.write('<!-- '.padEnd(100 * 1024, 'y') + ' -->');
      res.end();
    },
    '/flaky.xml': (_req, res) => (failing ? res.writeHead(500).end('down') : res.writeHead(200, { 'content-type': 'application/cap+xml' }).end(capXml({ identifier: 'FLAKY-1' }))),
    '/wide.xml': (_req, res) => res.writeHead(200, { 'content-type': 'application/cap+xml' }).end(capXml({ identifier: 'WIDE-1', expires: '2026-12-02T00:00:00-00:00' })),
    '/not-a-feed.xml': (_req, res) => res.writeHead(200, { 'content-type': 'application/xml' }).end('<html><body>hello</body></html>'),
  });
  const feed = async (id: string) => (await c.api('GET', `/v1/apps/${app.id}/alert-feeds/${id}`, { key: app.secretKey })).body;
  const create = async (path: string, interval = 60) => {
    const res = await c.api('POST', `/v1/apps/${app.id}/alert-feeds`, { key: app.secretKey, body: { url: `${base}${path}`, interval } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  };
  /** The feed after its poll number `n` (1-based) has been recorded. */
  const polled = (id: string, after: string | null) => eventually(async () => {
    const f = await feed(id);
    assert.ok(f.lastPollAt !== null && f.lastPollAt !== after, `feed ${id} not polled yet`);
    return f;
  }, 10_000);

  before(async () => {
    await new Promise<void>((r) => srv.server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(srv.server.address() as AddressInfo).port}`;
    c = await startCarillon(kind, {}, { now: () => now });
    app = await c.createApp();
  });
  after(async () => {
    await c.stop();
    srv.server.close();
  });

  test('an Atom feed: linked and embedded CAP messages stored once, then 304 with the ETag reused', async () => {
    const created = await create('/feed.atom');
    assert.deepEqual([created.status, created.lastPollAt, created.interval], ['pending', null, 60]);
    assert.equal(created.nextPollAt, new Date(now).toISOString());
    const first = await polled(created.id, null);
    assert.equal(first.status, 'ok', JSON.stringify(first));
    assert.equal(first.error, null);
    assert.deepEqual([first.lastEntries, first.alertsReceived, first.etag, first.failures], [4, 4, '"v1"', 0]);
    assert.equal(first.nextPollAt, new Date(now + 60_000).toISOString());
    const alerts = await c.api('GET', `/v1/apps/${app.id}/alerts`, { key: app.secretKey });
    assert.deepEqual(alerts.body.data.map((a: { identifier: string }) => a.identifier).sort(), ['43b080713727', 'KAR0-0306112239-SW', 'KSTO1055887203', 'PFX-1']);
    // The embedded one is kept as it was written in the feed (its own namespace declaration kept).
    const row = await c.ctx.store.db.selectFrom('alerts').select('cap_xml').where('identifier', '=', '43b080713727').executeTakeFirstOrThrow();
    assert.equal(row.cap_xml, bare(sample('01')));
    assert.equal(srv.count('/cap/02.xml'), 1);

    now += 60_000;
    const second = await polled(created.id, first.lastPollAt);
    assert.equal(second.status, 'not_modified');
    const conditional = srv.seen.filter((s) => s.path === '/feed.atom');
    assert.deepEqual(conditional.map((s) => s.ifNoneMatch), [undefined, '"v1"']);
    assert.equal(conditional[1]!.ifModifiedSince, 'Tue, 01 Dec 2026 12:00:00 GMT');
    assert.equal(srv.count('/cap/02.xml'), 1, 'a linked document is not fetched again');
    assert.equal(second.alertsReceived, 4);
  });

  test('the same alert from a second feed (a single CAP URL) is not stored again', async () => {
    const single = await create('/single.xml');
    const done = await polled(single.id, null);
    assert.deepEqual([done.status, done.lastEntries, done.alertsReceived], ['ok', 1, 0]);
    const n = await c.ctx.store.db.selectFrom('alerts').select('id').where('app_id', '=', app.id).where('identifier', '=', 'KSTO1055887203').execute();
    assert.equal(n.length, 1);
  });

  test('a document over 900 KB is refused, whether its length is declared or not', async () => {
    for (const path of ['/big.xml', '/big-chunked.xml']) {
      const f = await polled((await create(path)).id, null);
      assert.equal(f.status, 'failed');
      assert.equal(f.error.code, 'too_large', `${path}: ${JSON.stringify(f.error)}`);
    }
  });

  test('a failing feed backs off (the interval doubled per failure), then recovers', async () => {
    const f = await create('/flaky.xml', 60);
    const one = await polled(f.id, null);
    assert.deepEqual([one.status, one.error.code, one.failures], ['failed', 'http_status', 1]);
    assert.match(one.error.detail, /answered 500/);
    assert.equal(one.nextPollAt, new Date(now + 120_000).toISOString());
    now += 120_000;
    const two = await polled(f.id, one.lastPollAt);
    assert.deepEqual([two.failures, two.nextPollAt], [2, new Date(now + 240_000).toISOString()]);
    failing = false;
    now += 240_000;
    const three = await polled(f.id, two.lastPollAt);
    assert.deepEqual([three.status, three.failures, three.error, three.alertsReceived], ['ok', 0, null, 1]);
    assert.equal(three.nextPollAt, new Date(now + 60_000).toISOString());
  });

  test('a feed of wide alerts (reach area_and_unlocated) sends them to users without a location too; PATCH changes its reach', async () => {
    const res = await c.api('POST', `/v1/apps/${app.id}/alert-feeds`, { key: app.secretKey, body: { url: `${base}/wide.xml`, interval: 60, reach: 'area_and_unlocated' } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.reach, 'area_and_unlocated');
    const f = await polled(res.body.id, null);
    assert.deepEqual([f.status, f.alertsReceived], ['ok', 1], JSON.stringify(f));
    const sent = await c.ctx.store.db
      .selectFrom('alert_notifications as n')
      .innerJoin('alerts as a', 'a.id', 'n.alert_id')
      .select('n.include_unlocated')
      .where('a.app_id', '=', app.id)
      .where('a.identifier', '=', 'WIDE-1')
      .executeTakeFirstOrThrow();
    assert.equal(Number(sent.include_unlocated), 1);
    const patched = await c.api('PATCH', `/v1/apps/${app.id}/alert-feeds/${f.id}`, { key: app.secretKey, body: { reach: 'area' } });
    assert.deepEqual([patched.status, patched.body.reach, patched.body.interval], [200, 'area', 60]);
    const refused = await c.api('PATCH', `/v1/apps/${app.id}/alert-feeds/${f.id}`, { key: app.secretKey, body: { reach: 'everyone' } });
    assert.deepEqual([refused.status, refused.body.code], [400, 'invalid_request']);
    assert.equal((await c.api('DELETE', `/v1/apps/${app.id}/alert-feeds/${f.id}`, { key: app.secretKey })).status, 204);
  });

  test('a document that is no feed fails the poll with not_a_feed; PATCH and DELETE', async () => {
    const f = await polled((await create('/not-a-feed.xml')).id, null);
    assert.deepEqual([f.status, f.error.code], ['failed', 'not_a_feed']);
    now += 1_000;
    const patched = await c.api('PATCH', `/v1/apps/${app.id}/alert-feeds/${f.id}`, { key: app.secretKey, body: { url: `${base}/single.xml`, interval: 300 } });
    assert.equal(patched.status, 200);
    assert.deepEqual([patched.body.failures, patched.body.interval, patched.body.nextPollAt], [0, 300, new Date(now).toISOString()]);
    const again = await polled(f.id, f.lastPollAt);
    assert.equal(again.status, 'ok');
    const list = await c.api('GET', `/v1/apps/${app.id}/alert-feeds`, { key: app.secretKey });
    assert.ok(list.body.data.some((x: { id: string }) => x.id === f.id));
    assert.equal((await c.api('DELETE', `/v1/apps/${app.id}/alert-feeds/${f.id}`, { key: app.secretKey })).status, 204);
    const gone = await c.api('GET', `/v1/apps/${app.id}/alert-feeds/${f.id}`, { key: app.secretKey });
    assert.deepEqual([gone.status, gone.body.code], [404, 'alert_feed_not_found']);
  });
});
}

describe('the endpoint address rule on feeds', () => {
  let c: TestCarillon;
  before(async () => {
    c = await startCarillon('sqlite', { allowPrivateEndpoints: false });
  });
  after(() => c.stop());

  test('a private, loopback or plain http URL is refused when the operator has not allowed them; nothing stored', async () => {
    const app = await c.createApp();
    for (const [url, reason] of [['http://alerts.example.gov/feed', 'not_https'], ['https://127.0.0.1/feed', 'private_address'], ['https://localhost/feed', 'private_address'], ['https://[::1]/feed', 'private_address'], ['https://169.254.169.254/latest', 'private_address']] as const) {
      const res = await c.api('POST', `/v1/apps/${app.id}/alert-feeds`, { key: app.secretKey, body: { url, interval: 60 } });
      assert.deepEqual([res.status, res.body.code, res.body.reason, res.body.pointer], [400, 'alert_feed_url_rejected', reason, '#/url'], url);
    }
    assert.equal((await c.ctx.store.db.selectFrom('alert_feeds').select('id').execute()).length, 0);
  });

  test('a name that resolves to a private address is refused on the address connected to', async () => {
    const fetcher = new FeedFetcher({ allowPrivate: false, timeoutMs: 2_000, now: Date.now, resolve: async () => [{ address: '127.0.0.1', family: 4 }] });
    try {
      await assert.rejects(fetcher.get('https://alerts.example.gov/feed.atom'), (err: unknown) => err instanceof FeedFetchError && err.code === 'private_address' && !err.message.includes('127.0.0.1'), 'the code, and not the address, which every member can read');
    } finally {
      await fetcher.close();
    }
  });
});

describe('readFeedDocument', () => {
  test('RSS items link by enclosure or link; IPAWS-style <alerts> carry alerts inline', () => {
    const rss = `<rss version="2.0"><channel><title>t</title>
      <item><guid>g1</guid><pubDate>Tue, 01 Dec 2026 12:00:00 GMT</pubDate><link>https://a.example/page</link><enclosure url="https://a.example/1.cap" type="application/cap+xml" length="1"/></item>
      <item><link>/2.xml</link></item></channel></rss>`;
    const doc = readFeedDocument(rss, 'https://a.example/feed.rss');
    assert.equal(doc.kind, 'rss');
    assert.deepEqual(doc.linked, [{ key: 'g1|Tue, 01 Dec 2026 12:00:00 GMT', url: 'https://a.example/1.cap' }, { key: 'https://a.example/2.xml|', url: 'https://a.example/2.xml' }]);
    const ipaws = `<ns1:alerts xmlns:ns1="http://gov.fema.ipaws.services/feed" xmlns="urn:oasis:names:tc:emergency:cap:1.2">${bare(capXml({ identifier: 'A' }).replace(' xmlns="urn:oasis:names:tc:emergency:cap:1.2"', ''))}<!-- <alert>not this</alert> --><alert><identifier>B</identifier></alert></ns1:alerts>`;
    const inline = readFeedDocument(ipaws, 'https://a.example/');
    assert.equal(inline.kind, 'alerts');
    assert.equal(inline.embedded.length, 2);
    assert.match(inline.embedded[0]!, /^<alert xmlns="urn:oasis:names:tc:emergency:cap:1\.2"><identifier>A</);
  });
});

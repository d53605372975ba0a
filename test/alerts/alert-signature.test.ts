/**
 * The signature rule on posted CAP documents (docs/civic-alerts.md#signatures): with
 * trusted certificates configured, the signed IPAWS samples are taken, and a document that
 * is unsigned, changed, signed by another certificate or (by the policy) by an expired one
 * is refused with cap_signature_invalid, nothing stored; the JSON form is the operator's
 * own and is not checked. A feed's documents meet the same rule, embedded in an Atom entry
 * or linked from it: the signed ones are stored, an unsigned one is refused and named in the
 * feed's error.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCarillon, type TestCarillon } from '../support/carillon.ts';
import { eventually } from '../support/eventually.ts';
import { capXml } from './cap-builder.ts';
import { capSample } from './cap-vectors.ts';

/** The certificate a signed sample carries, as PEM. */
function embeddedCert(prefix: string): string {
  const b64 = /<(?:ds:)?X509Certificate>([^<]+)</.exec(capSample(prefix).toString('utf8'))![1]!.replace(/\s+/g, '');
  return new X509Certificate(Buffer.from(b64, 'base64')).toString();
}

const dir = mkdtempSync(join(tmpdir(), 'carillon-cap-trust-'));
const both = join(dir, 'both.pem');
const only05 = join(dir, 'only-05.pem');
writeFileSync(both, `${embeddedCert('05')}\n${embeddedCert('07')}\n`);
writeFileSync(only05, embeddedCert('05'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('signed CAP documents (sqlite)', () => {
  let c: TestCarillon;
  let app: Awaited<ReturnType<TestCarillon['createApp']>>;
  const post = (body: string, contentType = 'application/cap+xml') => c.api('POST', `/v1/apps/${app.id}/alerts`, { key: app.secretKey, body, headers: { 'content-type': contentType } });
  const stored = async () => (await c.ctx.store.db.selectFrom('alerts').select('identifier').where('app_id', '=', app.id).execute()).map((r) => r.identifier).sort();

  before(async () => {
    c = await startCarillon('sqlite', { alertTrustedCertificates: both, alertExpiredCertificates: 'at_sent' });
    app = await c.createApp();
  });
  after(() => c.stop());

  test('the two signed IPAWS samples are taken, their certificates valid when they were sent', async () => {
    for (const prefix of ['05', '07']) {
      const res = await post(capSample(prefix).toString('utf8'));
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
    assert.deepEqual(await stored(), ['402013233923688', 'AS-NV-58d33e3a-1f9a-4909-9d59-34e90b33b3e8']);
  });

  test('unsigned, changed or wrapped documents are refused with their reason, and nothing is stored', async () => {
    const before = await stored();
    const unsigned = await post(capXml({ identifier: 'UNSIGNED-1', expires: '2099-01-01T00:00:00-00:00' }));
    assert.equal(unsigned.status, 422);
    assert.equal(unsigned.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.equal(unsigned.body.code, 'cap_signature_invalid');
    assert.equal(unsigned.body.reason, 'unsigned');

    // One byte of the signed content changed: the headline of the police alert.
    const changed = await post(capSample('07').toString('utf8').replace('Police Searching', 'Police Searchinh'));
    assert.equal(changed.status, 422, JSON.stringify(changed.body));
    assert.equal(changed.body.code, 'cap_signature_invalid');
    assert.equal(changed.body.reason, 'signature');

    // A second, unsigned <info> slipped in beside the signed content.
    const wrapped = await post(capSample('05').toString('utf8').replace('<ds:Signature', '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo/></ds:Signature><ds:Signature'));
    assert.equal(wrapped.status, 422, JSON.stringify(wrapped.body));
    assert.equal(wrapped.body.code, 'cap_signature_invalid');
    assert.equal(wrapped.body.reason, 'malformed');

    const hostile = await post('<!DOCTYPE alert [<!ENTITY x SYSTEM "file:///etc/passwd">]><alert>&x;</alert>');
    assert.equal(hostile.status, 400);
    assert.equal(hostile.body.code, 'cap_refused');
    assert.deepEqual(await stored(), before);
  });

  test('the JSON form is the operator’s own and is taken unsigned', async () => {
    const res = await post(
      JSON.stringify({ identifier: 'COMPOSED-1', sender: 'ops@city.example', sent: '2026-12-01T11:58:00+01:00', status: 'Actual', msgType: 'Alert', scope: 'Public', infos: [{ categories: ['Infra'], event: 'Water', urgency: 'Expected', severity: 'Moderate', certainty: 'Likely', areas: [{ areaDesc: 'Centre', circles: [{ lat: 48.85, lon: 2.35, radiusKm: 2 }] }] }] }),
      'application/json',
    );
    assert.equal(res.status, 201, JSON.stringify(res.body));
  });
});

describe('signed CAP documents: another certificate, and the reject policy (sqlite)', () => {
  for (const [name, overrides, prefix, reason] of [
    ['a certificate not trusted', { alertTrustedCertificates: only05, alertExpiredCertificates: 'at_sent' }, '07', 'untrusted'],
    ['an expired certificate under reject', { alertTrustedCertificates: both, alertExpiredCertificates: 'reject' }, '05', 'certificate_expired'],
  ] as const) {
    test(`${name} is refused (${reason})`, async () => {
      const c = await startCarillon('sqlite', overrides);
      try {
        const app = await c.createApp();
        const res = await c.api('POST', `/v1/apps/${app.id}/alerts`, { key: app.secretKey, body: capSample(prefix).toString('utf8'), headers: { 'content-type': 'application/cap+xml' } });
        assert.equal(res.status, 422, JSON.stringify(res.body));
        assert.equal(res.body.code, 'cap_signature_invalid');
        assert.equal(res.body.reason, reason);
        assert.match(res.body.certificate.subject, /O=FEMA IPAWS/);
        assert.equal((await c.ctx.store.db.selectFrom('alerts').select('id').where('app_id', '=', app.id).execute()).length, 0);
      } finally {
        await c.stop();
      }
    });
  }
});

describe('signed CAP documents from a feed (sqlite)', () => {
  const bare = (xml: string) => xml.replace(/^\s*<\?xml[^>]*\?>\s*/, '').trimEnd();
  const documents: Record<string, string> = {
    '/cap/07.xml': capSample('07').toString('utf8'),
    '/cap/unsigned.xml': capXml({ identifier: 'FEED-UNSIGNED-1', expires: '2099-01-01T00:00:00-00:00' }),
  };
  let base = '';
  const server = createServer((req, res) => {
    if (req.url === '/feed.atom') {
      // The first IPAWS sample carried in the entry's <content>, the second and an unsigned one linked.
      return void res.writeHead(200, { 'content-type': 'application/atom+xml' }).end(
        `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><id>urn:test:signed</id><title>Signed</title><updated>2026-12-01T12:00:00Z</updated>` +
          `<entry><id>urn:test:05</id><title>05</title><updated>2026-12-01T11:00:00Z</updated><content type="application/cap+xml">${bare(capSample('05').toString('utf8'))}</content></entry>` +
          `<entry><id>urn:test:07</id><title>07</title><updated>2026-12-01T11:00:00Z</updated><link type="application/cap+xml" href="${base}/cap/07.xml"/></entry>` +
          `<entry><id>urn:test:unsigned</id><title>unsigned</title><updated>2026-12-01T11:00:00Z</updated><link type="application/cap+xml" href="${base}/cap/unsigned.xml"/></entry></feed>`,
      );
    }
    const doc = documents[req.url ?? ''];
    if (doc === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/cap+xml' }).end(doc);
  });
  let c: TestCarillon;

  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    c = await startCarillon('sqlite', { alertTrustedCertificates: both, alertExpiredCertificates: 'at_sent' });
  });
  after(async () => {
    await c.stop();
    server.close();
  });

  test('the signed entries are stored, the unsigned one refused with cap_signature_invalid in the feed’s error', async () => {
    const app = await c.createApp();
    const created = await c.api('POST', `/v1/apps/${app.id}/alert-feeds`, { key: app.secretKey, body: { url: `${base}/feed.atom`, interval: 60 } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const feed = await eventually(async () => {
      const f = (await c.api('GET', `/v1/apps/${app.id}/alert-feeds/${created.body.id}`, { key: app.secretKey })).body;
      assert.notEqual(f.lastPollAt, null, 'not polled yet');
      return f;
    }, 20_000);
    assert.equal(feed.status, 'ok', JSON.stringify(feed));
    assert.equal(feed.alertsReceived, 2);
    assert.equal(feed.error.code, 'cap_signature_invalid', JSON.stringify(feed.error));
    assert.match(feed.error.detail, /unsigned\.xml/);
    const stored = (await c.ctx.store.db.selectFrom('alerts').select('identifier').where('app_id', '=', app.id).execute()).map((r) => r.identifier).sort();
    assert.deepEqual(stored, ['402013233923688', 'AS-NV-58d33e3a-1f9a-4909-9d59-34e90b33b3e8']);
  });
});

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { capSample } from '../../../test/alerts/cap-vectors.ts';
import { CapRefusedError } from './errors.ts';
import { parseCap } from './parse.ts';
import { verifyCapSignature, type VerifyCapSignatureOptions } from './signature.ts';

/** The certificate a signed sample carries, as the operator would configure it (PEM). */
function embeddedCert(prefix: string): string {
  const b64 = /<(?:ds:)?X509Certificate>([^<]+)</.exec(capSample(prefix).toString('utf8'))![1]!.replace(/\s+/g, '');
  return new X509Certificate(Buffer.from(b64, 'base64')).toString();
}

const NOW = Date.parse('2026-12-01T12:00:00Z');
const opts = (trusted: string[], policy: VerifyCapSignatureOptions['expiredCertificates'] = 'at_sent', now = NOW): VerifyCapSignatureOptions => ({ trusted, now, expiredCertificates: policy });

describe('verifyCapSignature on the signed IPAWS samples', () => {
  for (const prefix of ['05', '07']) {
    it(`${prefix}: verifies with its pinned certificate, and what was signed parses to the alert`, () => {
      const xml = capSample(prefix).toString('utf8');
      const v = verifyCapSignature(xml, opts([embeddedCert(prefix)]));
      assert.equal(v.status, 'valid', JSON.stringify(v));
      if (v.status !== 'valid') return;
      assert.match(v.certificate.subject, /O=FEMA IPAWS/);
      assert.match(v.certificate.issuer, /CN=IGC Server CA 1/);
      assert.equal(v.certificateExpired, true, 'the capture outlived its certificate');
      assert.equal(parseCap(v.signedXml).identifier, parseCap(xml).identifier);
    });
  }

  it('the expired-certificate policy decides: reject now, accept when valid at sent, accept', () => {
    const xml = capSample('05').toString('utf8');
    const pin = [embeddedCert('05')];
    const rejected = verifyCapSignature(xml, opts(pin, 'reject'));
    assert.deepEqual([rejected.status, rejected.status === 'invalid' && rejected.reason], ['invalid', 'certificate_expired']);
    // Sent 2019-04-19, the certificate valid 2019-03-05 to 2022-03-04.
    assert.equal(verifyCapSignature(xml, opts(pin, 'at_sent')).status, 'valid');
    assert.equal(verifyCapSignature(xml, opts(pin, 'accept')).status, 'valid');
    assert.equal(verifyCapSignature(xml, opts(pin, 'reject', Date.parse('2020-01-01T00:00:00Z'))).status, 'valid', 'while the certificate was valid');
    // 07's certificate (2017-03-15 to 2020-03-14) and its sent time (2019-12-13): valid at sent.
    assert.equal(verifyCapSignature(capSample('07').toString('utf8'), opts([embeddedCert('07')], 'at_sent')).status, 'valid');
  });

  it('a certificate not pinned is untrusted, even a valid FEMA one', () => {
    const v = verifyCapSignature(capSample('05').toString('utf8'), opts([embeddedCert('07')]));
    assert.deepEqual([v.status, v.status === 'invalid' && v.reason], ['invalid', 'untrusted']);
    assert.equal(verifyCapSignature(capSample('05').toString('utf8'), opts([])).status, 'invalid');
  });

  it('a changed byte of the signed alert breaks the signature', () => {
    const xml = capSample('05').toString('utf8');
    for (const tampered of [xml.replace('<msgType>Cancel</msgType>', '<msgType>Alert</msgType>'), xml.replace('AlertSense', 'AlertSensf'), xml.replace('</scope>', '</scope><note>added</note>')]) {
      assert.notEqual(tampered, xml);
      const v = verifyCapSignature(tampered, opts([embeddedCert('05')]));
      assert.deepEqual([v.status, v.status === 'invalid' && v.reason], ['invalid', 'signature']);
    }
  });

  it('unsigned, placeholder, doubled and hostile documents', () => {
    assert.deepEqual(verifyCapSignature(capSample('01').toString('utf8'), opts([])), { status: 'unsigned' });
    // The NTWC fixture's <Signature> content is elided ("..."): present but unverifiable.
    const placeholder = verifyCapSignature(capSample('06').toString('utf8'), opts([embeddedCert('05')]));
    assert.equal(placeholder.status, 'invalid');
    const xml = capSample('05').toString('utf8');
    const sig = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(xml)![0];
    const doubled = verifyCapSignature(xml.replace('</alert>', `${sig}</alert>`), opts([embeddedCert('05')]));
    assert.deepEqual([doubled.status, doubled.status === 'invalid' && doubled.reason], ['invalid', 'malformed']);
    const sha1 = verifyCapSignature(xml.replace('xmldsig-more#rsa-sha256', 'xmldsig#rsa-sha1').replace('http://www.w3.org/2001/04/xmldsig-more#rsa-sha1', 'http://www.w3.org/2000/09/xmldsig#rsa-sha1'), opts([embeddedCert('05')]));
    assert.deepEqual([sha1.status, sha1.status === 'invalid' && sha1.reason], ['invalid', 'algorithm']);
    assert.throws(() => verifyCapSignature(`<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>${xml.replace(/^<\?xml[^>]*>/, '')}`, opts([])), CapRefusedError);
  });
});

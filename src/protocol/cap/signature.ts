/**
 * Verifies the enveloped XML-DSig signature of a CAP alert (XML Signature 1.1; the IPAWS
 * profile signs the whole `<alert>`: Reference URI="", enveloped-signature transform,
 * exclusive C14N, RSA-SHA256). Pure: the trusted certificates and the time are arguments.
 *
 * - Trust is by pinning: the certificate in the signature's KeyInfo must be one of the
 *   operator's trusted certificates (same SHA-256 fingerprint). Chains to a trusted CA are
 *   not followed yet.
 * - Expired certificates: archived alerts outlive their certificates (the IPAWS samples'
 *   expired in 2020 and 2022), so the policy is the operator's: `reject` (valid now),
 *   `at_sent` (valid when the alert says it was sent) or `accept`.
 * - What was verified is what to use: `signedXml` is the signed content as xml-crypto
 *   canonicalised it; parse that, never the bytes around it (signature wrapping).
 */
import { X509Certificate } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { parseCap, CAP_MAX_BYTES } from './parse.ts';
import { readXml } from './xml.ts';

const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
// What the IPAWS profile uses, and the SHA-2 siblings; SHA-1 is refused (RFC 6194).
const SIGNATURE_ALGORITHMS = new Set(['http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512']);
const DIGEST_ALGORITHMS = new Set(['http://www.w3.org/2001/04/xmlenc#sha256', 'http://www.w3.org/2001/04/xmlenc#sha512']);

export type ExpiredCertificatePolicy = 'reject' | 'at_sent' | 'accept';

export interface VerifyCapSignatureOptions {
  /** PEM or DER certificates the operator trusts. */
  trusted: ReadonlyArray<string | Buffer>;
  /** Now, in ms since the epoch. */
  now: number;
  expiredCertificates: ExpiredCertificatePolicy;
}

export interface SignerCertificate {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  fingerprint256: string;
}

export type SignatureVerdict =
  | { status: 'unsigned' }
  | { status: 'valid'; certificate: SignerCertificate; certificateExpired: boolean; signedXml: string }
  | { status: 'invalid'; reason: 'malformed' | 'algorithm' | 'signature' | 'untrusted' | 'certificate_expired'; detail: string; certificate?: SignerCertificate };

const invalid = (reason: Extract<SignatureVerdict, { status: 'invalid' }>['reason'], detail: string, certificate?: SignerCertificate): SignatureVerdict =>
  certificate ? { status: 'invalid', reason, detail, certificate } : { status: 'invalid', reason, detail };

function describe(cert: X509Certificate): SignerCertificate {
  return { subject: cert.subject.replace(/\n/g, ', '), issuer: cert.issuer.replace(/\n/g, ', '), validFrom: cert.validFrom, validTo: cert.validTo, fingerprint256: cert.fingerprint256 };
}

const validAt = (cert: X509Certificate, ms: number) => Date.parse(cert.validFrom) <= ms && ms <= Date.parse(cert.validTo);

/**
 * @throws CapRefusedError, CapMalformedError for XML that parseCap would refuse; otherwise answers a verdict.
 * @example const v = verifyCapSignature(xml, { trusted: [pem], now: Date.now(), expiredCertificates: 'at_sent' });
 *          if (v.status === 'valid') alert = parseCap(v.signedXml);
 */
export function verifyCapSignature(xml: string, options: VerifyCapSignatureOptions): SignatureVerdict {
  // The same refusals as parseCap (DTDs, entities, depth) before xmldom sees a byte.
  readXml(xml, { maxBytes: CAP_MAX_BYTES });
  const doc = new DOMParser({ onError: () => undefined }).parseFromString(xml, 'text/xml');
  const root = doc.documentElement;
  if (!root) return invalid('malformed', 'no document element');
  const signatures = Array.from(root.childNodes).filter((n) => n.nodeType === 1 && (n as unknown as Element).localName === 'Signature' && (n as unknown as Element).namespaceURI === DSIG) as unknown as Element[];
  if (signatures.length === 0) return { status: 'unsigned' };
  if (signatures.length > 1) return invalid('malformed', 'more than one Signature under <alert>');
  const signature = signatures[0]!;
  const find = (name: string) => Array.from(signature.getElementsByTagNameNS(DSIG, name));
  const method = find('SignatureMethod')[0]?.getAttribute('Algorithm') ?? '';
  if (!SIGNATURE_ALGORITHMS.has(method)) return invalid('algorithm', `signature method ${method.slice(0, 80) || '(none)'} is not accepted`);
  const references = find('Reference');
  if (references.length !== 1 || references[0]!.getAttribute('URI') !== '') return invalid('malformed', 'the signature must have one Reference to the whole alert (URI="")');
  const digest = find('DigestMethod')[0]?.getAttribute('Algorithm') ?? '';
  if (!DIGEST_ALGORITHMS.has(digest)) return invalid('algorithm', `digest method ${digest.slice(0, 80) || '(none)'} is not accepted`);

  const certText = find('X509Certificate')[0]?.textContent?.replace(/\s+/g, '') ?? '';
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(Buffer.from(certText, 'base64'));
  } catch {
    return invalid('malformed', 'KeyInfo holds no X.509 certificate that can be read');
  }
  const signer = describe(cert);
  const pinned = options.trusted.some((t) => {
    try {
      return new X509Certificate(t).fingerprint256 === cert.fingerprint256;
    } catch {
      return false;
    }
  });
  if (!pinned) return invalid('untrusted', 'the signing certificate is not one of the trusted certificates', signer);

  const checker = new SignedXml({ publicCert: cert.publicKey.export({ type: 'spki', format: 'pem' }) as string });
  let ok: boolean;
  try {
    checker.loadSignature(signature as unknown as Node);
    ok = checker.checkSignature(xml);
  } catch (err) {
    return invalid('signature', `the signature does not verify: ${String((err as Error).message ?? err).slice(0, 120)}`, signer);
  }
  const signed = checker.getSignedReferences();
  if (!ok || signed.length !== 1) return invalid('signature', 'the signature does not verify', signer);
  const signedXml = signed[0]!;

  const expiredNow = !validAt(cert, options.now);
  if (expiredNow && options.expiredCertificates === 'reject') return invalid('certificate_expired', `the certificate is valid ${cert.validFrom} to ${cert.validTo}`, signer);
  if (expiredNow && options.expiredCertificates === 'at_sent') {
    const sent = parseCap(signedXml).sent.epochMs;
    if (!validAt(cert, sent)) return invalid('certificate_expired', `the certificate was not valid when the alert was sent (${new Date(sent).toISOString()})`, signer);
  }
  return { status: 'valid', certificate: signer, certificateExpired: expiredNow, signedXml };
}

/**
 * The operator's signature rule for CAP documents (docs/civic-alerts.md#signatures): when
 * trusted certificates are configured, a CAP document posted or polled must carry a valid
 * enveloped XML-DSig signature by one of them, or it is refused and nothing is stored.
 * What was verified (`signedXml`) is what is read, never the bytes around it.
 */
import { readFileSync } from 'node:fs';
import type { Config } from '../config/defaults.ts';
import { ApiError } from '../errors/api-error.ts';
import type { ExpiredCertificatePolicy } from '../protocol/cap/index.ts';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * The XML-DSig verifier (xml-crypto, @xmldom/xmldom, xpath), loaded at the first document
 * checked: a server that trusts no certificate never needs it, and an idle one holds only
 * the modules it uses (issue #19).
 */
let verifier: Promise<typeof import('../protocol/cap/signature.ts')> | undefined;

/** The certificates of each file read, by path: read once per process (a change needs a restart, as every setting does). */
const trustedByPath = new Map<string, string[]>();

function trustedCertificates(path: string): string[] {
  let certs = trustedByPath.get(path);
  if (!certs) {
    certs = readFileSync(path, 'utf8').match(PEM_CERTIFICATE) ?? [];
    if (certs.length === 0) throw new Error(`alertTrustedCertificates: ${path} holds no PEM certificate`);
    trustedByPath.set(path, certs);
  }
  return certs;
}

/**
 * The CAP XML to read: the document itself when no certificates are trusted, else the
 * content its signature covers.
 * @throws ApiError cap_signature_invalid with `reason`; CapRefusedError, CapMalformedError for hostile or broken XML.
 */
export async function signedCapXml(config: Pick<Config, 'alertTrustedCertificates' | 'alertExpiredCertificates'>, xml: string, now: number): Promise<string> {
  if (config.alertTrustedCertificates === '') return xml;
  const trusted = trustedCertificates(config.alertTrustedCertificates);
  const { verifyCapSignature } = await (verifier ??= import('../protocol/cap/signature.ts'));
  const verdict = verifyCapSignature(xml, { trusted, now, expiredCertificates: config.alertExpiredCertificates as ExpiredCertificatePolicy });
  if (verdict.status === 'valid') return verdict.signedXml;
  if (verdict.status === 'unsigned') throw new ApiError('cap_signature_invalid', 'The document carries no XML signature, and this server accepts signed CAP documents only', { reason: 'unsigned' });
  throw new ApiError('cap_signature_invalid', verdict.detail, { reason: verdict.reason, ...(verdict.certificate ? { certificate: { subject: verdict.certificate.subject, fingerprint256: verdict.certificate.fingerprint256 } } : {}) });
}

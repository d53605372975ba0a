/**
 * A self-signed certificate for the loopback sink, made at run time: push services
 * speak TLS, web-push's sender only speaks https, and HTTP/2 is negotiated through TLS
 * ALPN (undici's allowH2 never speaks h2c). Without an `openssl` binary, the test
 * certificate of src/transport/fixtures (also for 127.0.0.1) serves.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BenchCert {
  dir: string;
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

const FIXTURES = new URL('../../src/transport/fixtures/', import.meta.url);

export function makeLoopbackCert(): BenchCert {
  const dir = mkdtempSync(join(tmpdir(), 'carillon-bench-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
        '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout', keyFile, '-out', certFile,
      ],
      { stdio: 'ignore' },
    );
  } catch {
    copyFileSync(fileURLToPath(new URL('test-cert.pem', FIXTURES)), certFile);
    copyFileSync(fileURLToPath(new URL('test-key.pem', FIXTURES)), keyFile);
  }
  return { dir, certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

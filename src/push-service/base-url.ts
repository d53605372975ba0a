import type { AddressInfo } from 'node:net';

const HOST_HEADER = /^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * The public base URL under which the endpoints live (`<base>/push/<token>`).
 *
 * The configured URL wins (set it behind a TLS proxy). Without one the listening address
 * is used, and on a wildcard address (0.0.0.0, ::) the Host the client connected to.
 * The VAPID audience of every endpoint is this URL's origin (RFC 8292 §2).
 */
export function resolveBaseUrl(configured: string, address: AddressInfo | string | null, hostHeader?: string): string {
  if (configured) return configured.replace(/\/+$/, '');
  if (address !== null && typeof address === 'object') {
    const wildcard = address.address === '0.0.0.0' || address.address === '::';
    if (!wildcard) {
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${host}:${address.port}`;
    }
  }
  if (hostHeader !== undefined && HOST_HEADER.test(hostHeader)) return `http://${hostHeader}`;
  throw new Error('the push service cannot tell its public URL: set CARILLON_PUSH_SERVICE_URL');
}

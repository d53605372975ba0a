import { isIPv4 } from 'node:net';
import { isPublicAddress } from './address-policy.ts';
import { EndpointRejectedError } from './endpoint-rejected-error.ts';

/** Longest endpoint accepted; real push endpoints are well under 1 KB. */
export const MAX_ENDPOINT_LENGTH = 2048;

export interface EndpointUrlOptions {
  /**
   * Allow `http:`, loopback, private and link-local hosts: for Carillon's own push
   * service on a private network, and for tests.
   */
  allowPrivate: boolean;
}

/**
 * Validates a push endpoint taken from a browser subscription, before it is stored.
 * Synchronous and without DNS: a hostname that resolves to a private address is
 * caught later, at connect time, by `createSafeLookup`. Store `url.href`, the
 * normalised form (`https://0x7f.1/` becomes `https://127.0.0.1/` and is refused).
 *
 * @throws EndpointRejectedError with reason `too_long`, `malformed`, `not_https`,
 *   `credentials`, `fragment` or `private_address`.
 */
export function checkEndpointUrl(raw: string, options: EndpointUrlOptions): URL {
  if (typeof raw !== 'string') throw new EndpointRejectedError('malformed', 'endpoint must be a string');
  if (raw.length > MAX_ENDPOINT_LENGTH) {
    throw new EndpointRejectedError('too_long', `endpoint is longer than ${MAX_ENDPOINT_LENGTH} characters`);
  }

  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new EndpointRejectedError('malformed', 'endpoint is not an absolute URL');
  }
  // Normalisation can lengthen a URL (IDNA, percent-encoding); the limit holds for what is stored.
  if (url.href.length > MAX_ENDPOINT_LENGTH) {
    throw new EndpointRejectedError('too_long', `endpoint is longer than ${MAX_ENDPOINT_LENGTH} characters`);
  }

  if (url.protocol !== 'https:' && !(options.allowPrivate && url.protocol === 'http:')) {
    throw new EndpointRejectedError('not_https', `endpoint scheme must be https, not ${url.protocol}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new EndpointRejectedError('credentials', 'endpoint must not carry a username or password');
  }
  // `url.hash` is '' for a bare trailing '#', so look at the serialisation: a '#' can
  // only appear there as the fragment delimiter.
  if (url.href.includes('#')) {
    throw new EndpointRejectedError('fragment', 'endpoint must not have a fragment');
  }
  if (url.hostname === '') throw new EndpointRejectedError('malformed', 'endpoint has no host');

  if (!options.allowPrivate) {
    const host = url.hostname;
    const literal = host.startsWith('[') ? host.slice(1, -1) : isIPv4(host) ? host : undefined;
    if (literal !== undefined && !isPublicAddress(literal)) {
      throw new EndpointRejectedError('private_address', `endpoint address ${literal} is not public`, {
        address: literal,
      });
    }
    if (isLocalhostName(host)) {
      throw new EndpointRejectedError('private_address', `endpoint host ${host} is local`);
    }
  }
  return url;
}

// RFC 6761 §6.3: localhost and every name under it are the local host, whatever DNS says.
function isLocalhostName(hostname: string): boolean {
  const name = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  return name === 'localhost' || name.endsWith('.localhost');
}

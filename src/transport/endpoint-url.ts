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
 * @throws EndpointRejectedError with reason `too_long`, `malformed` (also for control
 *   characters), `not_https`, `credentials`, `fragment` or `private_address`.
 */
export function checkEndpointUrl(raw: string, options: EndpointUrlOptions): URL {
  if (typeof raw !== 'string') throw new EndpointRejectedError('malformed', 'endpoint must be a string');
  if (raw.length > MAX_ENDPOINT_LENGTH) {
    throw new EndpointRejectedError('too_long', `endpoint is longer than ${MAX_ENDPOINT_LENGTH} characters`);
  }

  // The WHATWG parser drops tabs and newlines and trims controls and spaces at the ends:
  // an endpoint holding them would be stored as one URL and mean another. Refuse them
  // (C0 controls, space, DEL, C1 controls) instead of cleaning them away.
  const control = /[\u0000-\u0020\u007f-\u009f]/.exec(raw);
  if (control) {
    throw new EndpointRejectedError('malformed', `endpoint holds a control character or space (U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}) at ${control.index}`);
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

/**
 * The one form an endpoint is stored and looked up in: the WHATWG URL serialisation, so
 * `https://Push.Example.NET:443/a` and `https://push.example.net/a` are one subscription
 * (host lower-cased, default port dropped, IDNA and percent-encoding applied). A string
 * that is not a URL, or holds a control character, is returned as it is: the channel's
 * own check (`checkEndpointUrl`) refuses it with its reason.
 */
export function normalizeEndpoint(raw: string): string {
  if (/[\u0000-\u0020\u007f-\u009f]/.test(raw)) return raw;
  try {
    return new URL(raw).href;
  } catch {
    return raw;
  }
}

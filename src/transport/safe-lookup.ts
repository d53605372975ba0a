import { promises as dns, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isPublicAddress } from './address-policy.ts';
import { EndpointRejectedError } from './endpoint-rejected-error.ts';

/**
 * Resolves a hostname to every address it has, like `dns.promises.lookup` with
 * `all: true`. Injected in tests to map names to chosen addresses without DNS.
 */
export type Resolver = (hostname: string, options: { family?: number; hints?: number }) => Promise<LookupAddress[]>;

/** The operating system's resolver (getaddrinfo: /etc/hosts, then DNS). */
export const systemResolver: Resolver = (hostname, options) =>
  dns.lookup(hostname, { family: options.family ?? 0, hints: options.hints ?? 0, all: true });

export interface SafeLookupOptions {
  resolve?: Resolver;
  /** Skip the address check (Carillon's own push service on a private network, tests). */
  allowPrivate?: boolean;
}

/**
 * A `lookup` for `net.connect`, `tls.connect` and undici's `connect: { lookup }`
 * that refuses to hand over a non-public address. Because the check runs on the
 * very addresses the socket then connects to, a name that resolved to a public
 * address when the endpoint was registered and to 127.0.0.1 now (DNS rebinding)
 * is still refused. Fails with `EndpointRejectedError` ('private_address') if any
 * address is not public: a name that mixes both is not a push service.
 *
 * Node does not call `lookup` when the host is an IP literal, so IP literals must be
 * checked before connecting (`checkEndpointUrl`).
 *
 * @example net.connect({ host, port, lookup: createSafeLookup() })
 */
export function createSafeLookup(options: SafeLookupOptions = {}): LookupFunction {
  const resolve = options.resolve ?? systemResolver;
  const allowPrivate = options.allowPrivate ?? false;

  return (hostname, lookupOptions, callback) => {
    const family = typeof lookupOptions.family === 'number' ? lookupOptions.family : undefined;
    // Node calls back asynchronously and outside any promise chain, so that an
    // exception thrown by the callback is reported, not turned into a second call.
    const settle = (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]): void => {
      process.nextTick(() => {
        if (err !== null) return callback(err, lookupOptions.all === true ? [] : '');
        // net.connect asks for every address (`all: true`) when it races IPv4 and
        // IPv6 (autoSelectFamily, the default since Node 20), and for one otherwise.
        if (lookupOptions.all === true) return callback(null, addresses);
        const first = addresses[0] as LookupAddress;
        callback(null, first.address, first.family);
      });
    };

    resolve(hostname, { family, hints: lookupOptions.hints }).then(
      (addresses) => {
        if (addresses.length === 0) {
          const err: NodeJS.ErrnoException = new Error(`no address for ${hostname}`);
          err.code = 'ENOTFOUND';
          return settle(err, []);
        }
        if (!allowPrivate) {
          const bad = addresses.find((a) => !isPublicAddress(a.address));
          if (bad !== undefined) {
            return settle(
              new EndpointRejectedError('private_address', `${hostname} resolves to ${bad.address}, which is not public`, {
                address: bad.address,
              }),
              [],
            );
          }
        }
        settle(null, addresses);
      },
      (err: unknown) => settle(err instanceof Error ? err : new Error(String(err)), []),
    );
  };
}

/** The checking lookup over the system resolver. */
export const safeLookup: LookupFunction = createSafeLookup();

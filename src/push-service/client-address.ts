import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { clientKey } from '../rate-limit/client-key.ts';

/** `trustProxy` as Fastify takes it (see src/config/trust-proxy.ts). */
export type TrustProxy = boolean | string[] | ((address: string, hop: number) => boolean);

/**
 * The address a WebSocket upgrade is counted by, under the same `trustProxy` rule as
 * Fastify's `request.ip` (it walks X-Forwarded-For from the nearest hop while the hop is
 * trusted, as proxy-addr does): upgrades never reach Fastify's request handling, and
 * behind a reverse proxy counting the proxy's address would put every browser in one
 * bucket. IPv6 clients count by their /64 (clientKey).
 */
export function upgradeClientKey(req: IncomingMessage, trustProxy: TrustProxy): string {
  const trust = trustFunction(trustProxy);
  const forwarded = req.headers['x-forwarded-for'];
  const header = Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '');
  const hops = [req.socket.remoteAddress ?? '', ...header.split(',').map((s) => s.trim()).filter(Boolean).reverse()];
  let address = hops[0]!;
  for (let hop = 0; hop < hops.length - 1 && trust(hops[hop]!, hop); hop++) address = hops[hop + 1]!;
  return clientKey(address);
}

function trustFunction(trustProxy: TrustProxy): (address: string, hop: number) => boolean {
  if (typeof trustProxy === 'function') return trustProxy;
  if (typeof trustProxy === 'boolean') return () => trustProxy;
  const list = new BlockList();
  for (const entry of trustProxy) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return (address) => {
    const plain = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
    const family = isIP(plain);
    return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  };
}

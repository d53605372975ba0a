import { isIP } from 'node:net';

/**
 * `trustProxy` as Fastify takes it: false (the peer's address is the client's), true
 * (trust every X-Forwarded-For hop), a hop count (as a function of the hop), or the
 * proxies' addresses and CIDRs.
 * Throws on an entry that is none of these.
 *
 * @example trustProxyOption('10.0.0.0/8, 127.0.0.1') // ['10.0.0.0/8', '127.0.0.1']
 */
export function trustProxyOption(value: string): boolean | string[] | ((address: string, hop: number) => boolean) {
  const v = value.trim();
  if (v === '' || /^false$/i.test(v)) return false;
  if (/^true$/i.test(v)) return true;
  if (/^\d+$/.test(v)) {
    // The n nearest hops are proxies: the client is the address before them.
    const hops = Number(v);
    return (_address, hop) => hop < hops;
  }
  const entries = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= bits);
    if (!family || !prefixOk || extra !== undefined) throw new Error(`"${entry}" is not an IP address or CIDR`);
  }
  return entries;
}

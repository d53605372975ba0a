import { isIP } from 'node:net';

/**
 * The address a client is counted by: an IPv4 address, or the /64 network of an IPv6 one
 * (one subscriber line gets a /64, and could otherwise take a fresh address per request).
 */
export function clientKey(ip: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (v4) return v4[1]!;
  if (isIP(ip) !== 6) return ip;
  // Expand "::" to the missing groups, then keep the first four.
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

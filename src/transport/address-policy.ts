import { BlockList, isIPv4, isIPv6 } from 'node:net';

// IPv4 ranges that a push endpoint must never reach (IANA IPv4 Special-Purpose
// Address Registry, RFC 6890 and its updates). None of them hosts a push service.
const NON_PUBLIC_V4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // RFC 6598 carrier-grade NAT, often the provider's internal network
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, home of cloud metadata services (169.254.169.254)
  ['172.16.0.0', 12], // RFC 1918
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // TEST-NET-1 documentation
  ['192.88.99.0', 24], // deprecated 6to4 relay anycast (RFC 7526)
  ['192.168.0.0', 16], // RFC 1918
  ['198.18.0.0', 15], // benchmarking (RFC 2544)
  ['198.51.100.0', 24], // TEST-NET-2 documentation
  ['203.0.113.0', 24], // TEST-NET-3 documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, including the limited broadcast 255.255.255.255
];

// IPv6 is checked as an allow-list: only global unicast (2000::/3) can be public, which
// already excludes ::, ::1, fc00::/7 (ULA), fe80::/10 (link-local), fec0::/10
// (site-local), ff00::/8 (multicast), 100::/64 (discard) and 64:ff9b:1::/48 (local
// NAT64). These are the non-public blocks inside 2000::/3.
const NON_PUBLIC_V6_IN_GLOBAL: ReadonlyArray<readonly [string, number]> = [
  ['2001::', 23], // IETF protocol assignments: Teredo, benchmarking, ORCHID (RFC 2928)
  ['2001:db8::', 32], // documentation (RFC 3849)
  ['3fff::', 20], // documentation (RFC 9637)
];

const nonPublicV4 = new BlockList();
for (const [network, prefix] of NON_PUBLIC_V4) nonPublicV4.addSubnet(network, prefix, 'ipv4');

const nonPublicV6 = new BlockList();
for (const [network, prefix] of NON_PUBLIC_V6_IN_GLOBAL) nonPublicV6.addSubnet(network, prefix, 'ipv6');

/**
 * Whether a push request may be sent to this IP address: false for loopback,
 * private, link-local, CGNAT, multicast, reserved and documentation ranges, and for
 * IPv6 forms that embed such an IPv4 address (`::ffff:127.0.0.1`, `::ffff:7f00:1`,
 * `64:ff9b::a00:1`, `2002:a00:1::`). Anything that is not a bare IP address
 * (a hostname, `[::1]`, an address with a zone id) is not public: the check fails closed.
 *
 * @example isPublicAddress('93.184.216.34') // true
 * @example isPublicAddress('::ffff:10.0.0.1') // false
 */
export function isPublicAddress(ip: string): boolean {
  if (isIPv4(ip)) return !nonPublicV4.check(ip, 'ipv4');
  // A zone id (fe80::1%eth0) only exists for scoped, non-global addresses.
  if (!isIPv6(ip) || ip.includes('%')) return false;

  const g = ipv6Groups(ip);
  const [g0, g1, g2, g3, g4, g5, g6, g7] = g as [number, number, number, number, number, number, number, number];

  // ::ffff:0:0/96, IPv4-mapped: the socket talks to the embedded IPv4 address.
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) {
    return isPublicAddress(groupsToIPv4(g6, g7));
  }
  // 64:ff9b::/96, NAT64 well-known prefix (RFC 6052): a NAT64 gateway forwards to the
  // embedded IPv4 address, so 64:ff9b::7f00:1 would reach 127.0.0.1 behind it.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return isPublicAddress(groupsToIPv4(g6, g7));
  }
  // 2002::/16, 6to4 (RFC 3056): the IPv4 address of the site sits in bits 16-47.
  if (g0 === 0x2002 && !isPublicAddress(groupsToIPv4(g1, g2))) return false;

  // Everything else outside 2000::/3 is not public, including the deprecated
  // IPv4-compatible ::a.b.c.d form (RFC 4291 §2.5.5.1), which no push service uses.
  if ((g0 & 0xe000) !== 0x2000) return false;
  return !nonPublicV6.check(ip, 'ipv6');
}

/** The eight 16-bit groups of a valid IPv6 address (without zone id). */
function ipv6Groups(ip: string): number[] {
  const gap = ip.indexOf('::');
  if (gap === -1) return groupsOf(ip);
  const head = groupsOf(ip.slice(0, gap));
  const tail = groupsOf(ip.slice(gap + 2));
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

function groupsOf(part: string): number[] {
  if (part === '') return [];
  const groups: number[] = [];
  for (const piece of part.split(':')) {
    if (piece.includes('.')) {
      // A trailing dotted quad (::ffff:127.0.0.1) stands for the last two groups.
      const [a = 0, b = 0, c = 0, d = 0] = piece.split('.').map(Number);
      groups.push((a << 8) | b, (c << 8) | d);
    } else {
      groups.push(parseInt(piece, 16));
    }
  }
  return groups;
}

function groupsToIPv4(high: number, low: number): string {
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}

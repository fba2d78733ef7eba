import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { fail, ok, type Result } from '../../../platform/errors.js';

/** Why an address is refused: `reason` reads after the address, e.g. "a private address". */
export interface BlockedAddress {
  address: string;
  reason: string;
}

/**
 * The fetch policy: only public unicast addresses. ipaddr.js's `range()` (which request-filtering-agent
 * also uses) names the special ranges; this adds what it leaves as "unicast" (IPv4-compatible `::a.b.c.d`,
 * anything outside 2000::/3) and judges IPv4-in-IPv6 forms by the IPv4 address they carry.
 */
export function checkAddress(address: string): Result<ipaddr.IPv4 | ipaddr.IPv6, BlockedAddress> {
  if (isIP(address) === 0) return fail({ address, reason: 'not an IP address' });
  const parsed = isIP(address) === 4 ? ipaddr.IPv4.parse(address) : ipaddr.IPv6.parse(hexTail(address));
  const reason = parsed instanceof ipaddr.IPv4 ? ipv4Reason(parsed) : ipv6Reason(parsed);
  return reason ? fail({ address, reason }) : ok(parsed);
}

// ipaddr.js reads "::a.b.c.d" as "::ffff:a.b.c.d"; two hex groups keep the form the peer actually sees.
const hexTail = (ipv6: string) =>
  ipv6.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)(?=%|$)/, (_match, a, b, c, d) =>
    [(Number(a) << 8) | Number(b), (Number(c) << 8) | Number(d)].map((group) => group.toString(16)).join(':'),
  );

const v4cidrs = (...list: string[]) => list.map((cidr) => ipaddr.IPv4.parseCIDR(cidr));
const v6cidrs = (...list: string[]) => list.map((cidr) => ipaddr.IPv6.parseCIDR(cidr));

const ipv4Names: Record<string, string> = {
  unspecified: 'an unspecified address (0.0.0.0/8)',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address (169.254.0.0/16)',
  loopback: 'a loopback address',
  carrierGradeNat: 'a carrier-grade NAT address (100.64.0.0/10)',
  private: 'a private address',
  benchmarking: 'a benchmarking address (198.18.0.0/15)',
  documentation: 'a documentation address',
  reserved: 'a reserved address',
};

// Finer names for parts of ipaddr's IPv4 "reserved" and "linkLocal", so the message says which rule hit.
const ipv4Detail = {
  metadata: v4cidrs('169.254.169.254/32'),
  benchmarking: v4cidrs('198.18.0.0/15'),
  documentation: v4cidrs('192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'),
};

function ipv4Reason(address: ipaddr.IPv4): string | null {
  const range: string = address.range();
  if (range === 'unicast') return null;
  const detail = ipaddr.subnetMatch(address, ipv4Detail, range);
  if (detail === 'metadata') return 'the cloud metadata address (link-local)';
  return ipv4Names[detail] ?? 'a special-purpose address';
}

const ipv6Names: Record<string, string> = {
  unspecified: 'the unspecified address (::)',
  loopback: 'a loopback address',
  linkLocal: 'a link-local address (fe80::/10)',
  multicast: 'a multicast address',
  uniqueLocal: 'a private address (unique local, fc00::/7)',
  deprecatedSiteLocal: 'a site-local address (fec0::/10)',
  discard: 'a discard-only address (100::/64)',
  benchmarking: 'a benchmarking address (2001:2::/48)',
  documentation: 'a documentation address',
  reserved: 'a reserved address',
  localNat64: 'a local-use NAT64 address (64:ff9b:1::/48)',
};

const ipv6Detail = {
  metadata: v6cidrs('fd00:ec2::254/128'),
  documentation: v6cidrs('2001:db8::/32', '3fff::/20'),
  localNat64: v6cidrs('64:ff9b:1::/48'),
};

const globalUnicast = ipaddr.IPv6.parseCIDR('2000::/3');

function ipv6Reason(address: ipaddr.IPv6): string | null {
  const range: string = address.range();
  if (range === 'unspecified' || range === 'loopback') return ipv6Names[range] ?? null;
  const embedded = embeddedIPv4(address);
  if (embedded) {
    const inner = ipv4Reason(embedded.ipv4);
    return inner ? `${embedded.form} of ${embedded.ipv4.toString()}, ${inner}` : null;
  }
  const detail = ipaddr.subnetMatch(address, ipv6Detail, range);
  if (detail === 'metadata') return 'the cloud metadata address (fd00:ec2::254)';
  if (detail !== 'unicast') return ipv6Names[detail] ?? 'a special-purpose address';
  return address.match(globalUnicast) ? null : 'outside global unicast space (2000::/3)';
}

const v4 = (high: number, low: number) => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);

const embeddingForms = {
  ipv4Mapped: v6cidrs('::ffff:0:0/96'),
  ipv4Translated: v6cidrs('::ffff:0:0:0/96'),
  nat64: v6cidrs('64:ff9b::/96'),
  sixToFour: v6cidrs('2002::/16'),
  teredo: v6cidrs('2001::/32'),
  ipv4Compatible: v6cidrs('::/96'),
};

const formNames: Record<string, string> = {
  ipv4Mapped: 'an IPv4-mapped form',
  ipv4Translated: 'an IPv4-translated form',
  nat64: 'a NAT64 form',
  sixToFour: 'a 6to4 form',
  teredo: 'a Teredo form',
  ipv4Compatible: 'an IPv4-compatible form',
};

/** The IPv4 address an IPv6 transition form carries; for Teredo, the worse of server and client. */
function embeddedIPv4(address: ipaddr.IPv6): { form: string; ipv4: ipaddr.IPv4 } | null {
  const form = ipaddr.subnetMatch(address, embeddingForms, 'none');
  const [, p1 = 0, p2 = 0, p3 = 0, , , p6 = 0, p7 = 0] = address.parts;
  const name = formNames[form];
  if (!name) return null;
  if (form === 'sixToFour') return { form: name, ipv4: v4(p1, p2) };
  if (form === 'teredo') {
    const server = v4(p2, p3);
    const client = v4(p6 ^ 0xffff, p7 ^ 0xffff);
    return { form: name, ipv4: ipv4Reason(server) ? server : client };
  }
  return { form: name, ipv4: v4(p6, p7) };
}

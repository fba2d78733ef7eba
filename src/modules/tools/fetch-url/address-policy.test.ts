import { describe, expect, it } from 'vitest';
import { checkAddress } from './address-policy.js';

const refused: [category: string, address: string, reason: string][] = [
  ['IPv4 loopback', '127.0.0.1', 'a loopback address'],
  ['IPv4 loopback, whole /8', '127.255.0.9', 'a loopback address'],
  ['RFC 1918 10/8', '10.0.0.5', 'a private address'],
  ['RFC 1918 172.16/12', '172.31.255.1', 'a private address'],
  ['RFC 1918 192.168/16', '192.168.1.1', 'a private address'],
  ['link-local', '169.254.10.10', 'a link-local address'],
  ['cloud metadata', '169.254.169.254', 'the cloud metadata address'],
  ['CGNAT 100.64/10', '100.64.0.1', 'carrier-grade NAT'],
  ['CGNAT upper edge', '100.127.255.254', 'carrier-grade NAT'],
  ['benchmarking 198.18/15', '198.19.0.1', 'a benchmarking address'],
  ['multicast', '224.0.0.1', 'a multicast address'],
  ['broadcast', '255.255.255.255', 'the broadcast address'],
  ['reserved 240/4', '240.0.0.1', 'a reserved address'],
  ['IETF protocol assignments 192.0.0/24', '192.0.0.8', 'a reserved address'],
  ['unspecified 0.0.0.0', '0.0.0.0', 'an unspecified address'],
  ['"this network" 0/8', '0.1.2.3', 'an unspecified address'],
  ['documentation TEST-NET-1', '192.0.2.10', 'a documentation address'],
  ['documentation TEST-NET-2', '198.51.100.7', 'a documentation address'],
  ['documentation TEST-NET-3', '203.0.113.9', 'a documentation address'],
  ['IPv6 loopback', '::1', 'a loopback address'],
  ['IPv6 unspecified', '::', 'the unspecified address'],
  ['unique local fc00::/7', 'fc00::1', 'a private address (unique local'],
  ['unique local fd', 'fd12:3456::1', 'a private address (unique local'],
  ['AWS metadata over IPv6', 'fd00:ec2::254', 'the cloud metadata address'],
  ['IPv6 link-local', 'fe80::1', 'a link-local address'],
  ['IPv6 link-local with zone', 'fe80::1%eth0', 'a link-local address'],
  ['site-local', 'fec0::1', 'a site-local address'],
  ['IPv6 multicast', 'ff02::1', 'a multicast address'],
  ['IPv6 benchmarking', '2001:2::1', 'a benchmarking address'],
  ['IPv6 documentation', '2001:db8::1', 'a documentation address'],
  ['discard-only', '100::1', 'a discard-only address'],
  ['IPv4-mapped loopback', '::ffff:127.0.0.1', 'an IPv4-mapped form of 127.0.0.1, a loopback address'],
  ['IPv4-mapped, hex notation', '::ffff:a00:5', 'an IPv4-mapped form of 10.0.0.5, a private address'],
  ['IPv4-mapped metadata', '::ffff:169.254.169.254', 'form of 169.254.169.254, the cloud metadata'],
  ['IPv4-translated', '::ffff:0:10.1.2.3', 'an IPv4-translated form of 10.1.2.3'],
  ['IPv4-compatible loopback', '::127.0.0.1', 'an IPv4-compatible form of 127.0.0.1, a loopback address'],
  ['IPv4-compatible private', '::7f00:1', 'an IPv4-compatible form of 127.0.0.1'],
  ['NAT64 of private', '64:ff9b::10.0.0.1', 'a NAT64 form of 10.0.0.1, a private address'],
  ['NAT64 of metadata', '64:ff9b::a9fe:a9fe', 'a NAT64 form of 169.254.169.254'],
  ['local-use NAT64', '64:ff9b:1::808:808', 'a local-use NAT64 address'],
  ['6to4 of loopback', '2002:7f00:1::1', 'a 6to4 form of 127.0.0.1, a loopback address'],
  ['6to4 of private', '2002:c0a8:101::', 'a 6to4 form of 192.168.1.1, a private address'],
  [
    'Teredo with private client',
    '2001:0:4136:e378:8000:63bf:f5ff:fffa',
    'a Teredo form of 10.0.0.5, a private',
  ],
  ['Teredo with private server', '2001:0:a00:1::1', 'a Teredo form of 10.0.0.1'],
  ['outside 2000::/3', '4000::1', 'outside global unicast space'],
  ['IETF reserved ::/8 beyond ::/96', '::1:0:0:1', 'outside global unicast space'],
  ['not an address', 'example.com', 'not an IP address'],
];

const allowed: [category: string, address: string][] = [
  ['public IPv4', '93.184.216.34'],
  ['public IPv4 next to CGNAT', '100.128.0.1'],
  ['public IPv4 next to 172.16/12', '172.32.0.1'],
  ['public IPv6', '2606:4700::6810:85e5'],
  ['IPv4-mapped public', '::ffff:8.8.8.8'],
  ['NAT64 of public', '64:ff9b::8.8.8.8'],
  ['6to4 of public', '2002:808:808::1'],
  ['Teredo with public server and client', '2001:0:4136:e378:8000:63bf:f7f7:f7f7'],
];

describe('checkAddress', () => {
  it.each(refused)('refuses %s (%s)', (_category, address, reason) => {
    const verdict = checkAddress(address);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) {
      expect(verdict.error.address).toBe(address);
      expect(verdict.error.reason).toContain(reason);
    }
  });

  it.each(allowed)('allows %s (%s)', (_category, address) => {
    expect(checkAddress(address)).toMatchObject({ ok: true });
  });
});

// NetworkPolicy egress that could reach the cloud metadata endpoint (169.254.169.254 and its IPv6 range).
import ipaddr from 'ipaddr.js';
import { type K8sObject, objectName } from './k8s-objects.js';

/** Cloud metadata endpoints: never reachable from Berth's pods. */
const LINK_LOCAL = ['169.254.0.0/16', 'fe80::/10'];

interface IpBlock {
  cidr: string;
  except?: string[];
}

/** Whether CIDR `outer` contains CIDR `inner` (false across address families). */
export function cidrContains(outer: string, inner: string): boolean {
  const [outerAddress, outerBits] = ipaddr.parseCIDR(outer);
  const [innerAddress, innerBits] = ipaddr.parseCIDR(inner);
  if (outerAddress.kind() !== innerAddress.kind() || outerBits > innerBits) return false;
  return (innerAddress as ipaddr.IPv4).match(outerAddress as ipaddr.IPv4, outerBits);
}

/**
 * Egress rules through which a pod could reach the cloud metadata endpoint: a rule with no
 * destination list (every address), a block inside link-local, or one containing it without
 * excepting it.
 */
export function egressToLinkLocal(objects: readonly K8sObject[]): string[] {
  const out: string[] = [];
  for (const policy of objects.filter((object) => object.kind === 'NetworkPolicy')) {
    const egress = (policy as { spec?: { egress?: { to?: { ipBlock?: IpBlock }[] }[] } }).spec?.egress ?? [];
    for (const [index, rule] of egress.entries()) {
      const at = `${objectName(policy)} egress[${index}]`;
      if (!rule.to?.length) out.push(`${at}: no destination list, so every address is allowed`);
      for (const block of (rule.to ?? []).flatMap((peer) => (peer.ipBlock ? [peer.ipBlock] : []))) {
        for (const linkLocal of LINK_LOCAL) {
          if (cidrContains(linkLocal, block.cidr)) out.push(`${at}: ${block.cidr} is link-local`);
          const excepted = (block.except ?? []).some((except) => cidrContains(except, linkLocal));
          if (cidrContains(block.cidr, linkLocal) && !excepted) {
            out.push(`${at}: ${block.cidr} includes ${linkLocal} without excepting it`);
          }
        }
      }
    }
  }
  return out;
}

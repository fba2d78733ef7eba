import ipaddr from 'ipaddr.js';
import { type DeployIssue, issue } from './deploy-issues.js';

/** Where one egress rule goes: a public address (any, or one IP), or the pods of an in-cluster namespace. */
export type EgressPeer =
  | { kind: 'public' }
  | { kind: 'ip'; cidr: string }
  | { kind: 'namespace'; namespace: string | undefined };

export interface EgressTarget {
  /** host:port as the config names it, for the policy's annotation and for messages. */
  endpoint: string;
  port: number;
  peer: EgressPeer;
  /** The config key that names it. */
  key: string;
}

// <service>.<namespace>.svc[.cluster.local] or a bare service name (this namespace).
const SERVICE_NAME =
  /^([a-z0-9]([a-z0-9-]*[a-z0-9])?)(\.([a-z0-9]([a-z0-9-]*[a-z0-9])?)\.svc(\.cluster\.local)?)?$/;

/** Public address ranges: what the base's berth-to-internet-https also allows (no private, no link-local). */
export const PUBLIC_IPV4 = {
  cidr: '0.0.0.0/0',
  except: ['169.254.0.0/16', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'],
};
export const PUBLIC_IPV6 = { cidr: '::/0', except: ['fe80::/10', 'fc00::/7'] };

/**
 * The rule a pod needs to reach host:port. An IP literal outside the public unicast range (private,
 * loopback, link-local, …) is refused: a generated policy never opens the cluster's own networks.
 */
export function egressTarget(host: string, port: number, key: string): EgressTarget | DeployIssue {
  // URL and fetchAllow spell IPv6 hosts in brackets; ipaddr.js and messages want them once.
  const bare = host.replace(/^\[|\]$/g, '');
  const endpoint = `${bare.includes(':') ? `[${bare}]` : bare}:${port}`;
  if (ipaddr.isValid(bare)) {
    const address = ipaddr.parse(bare);
    const range = address.range();
    if (range !== 'unicast') {
      return issue(
        key,
        `${endpoint} is a ${range} address: berth deploy opens egress to public addresses only; reach it through a Service name or write a NetworkPolicy of your own`,
      );
    }
    return {
      endpoint,
      port,
      key,
      peer: { kind: 'ip', cidr: `${address.toString()}/${address.kind() === 'ipv4' ? 32 : 128}` },
    };
  }
  const name = bare.toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost')) {
    return issue(key, `${endpoint} is the pod itself in Kubernetes: name the Service that runs it instead`);
  }
  const service = SERVICE_NAME.exec(name);
  if (service && (service[4] || !name.includes('.'))) {
    return { endpoint, port, key, peer: { kind: 'namespace', namespace: service[4] } };
  }
  return { endpoint, port, key, peer: { kind: 'public' } };
}

/** host and port of an http(s) URL; the default port of its scheme when it names none. */
export function urlEndpoint(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
  return { host: parsed.hostname, port };
}

/** host and port of send_email's smtp:// or smtps:// URL: the port the tool connects to when the URL names none (587, 465). */
export function smtpEndpoint(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port) || (parsed.protocol === 'smtps:' ? 465 : 587) };
}

/** host and port of a fetchAllow entry (host:port or [v6]:port; the config schema checked the form). */
export function allowEntryEndpoint(entry: string): { host: string; port: number } {
  const colon = entry.lastIndexOf(':');
  return { host: entry.slice(0, colon), port: Number(entry.slice(colon + 1)) };
}

/** The `to` of a NetworkPolicy egress rule that reaches the target. */
export function egressPeers(target: EgressTarget): unknown[] {
  switch (target.peer.kind) {
    case 'ip':
      return [{ ipBlock: { cidr: target.peer.cidr } }];
    case 'namespace':
      return target.peer.namespace
        ? [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': target.peer.namespace } } }]
        : [{ podSelector: {} }];
    default:
      return [{ ipBlock: PUBLIC_IPV4 }, { ipBlock: PUBLIC_IPV6 }];
  }
}

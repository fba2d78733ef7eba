import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ok } from '../../../platform/errors.js';
import { type ToolResult, toolFailure } from '../tool.js';
import { type BlockedAddress, checkAddress } from './address-policy.js';

/** Every A/AAAA record of a name; injectable so tests can return private records without DNS. */
export type LookupAll = (hostname: string) => Promise<LookupAddress[]>;

export const systemLookup: LookupAll = (hostname) => lookup(hostname, { all: true });

/** A URL that passed the policy, with the addresses the connection is allowed to use. */
export interface FetchTarget {
  url: URL;
  /** Hostname without IPv6 brackets. */
  host: string;
  port: number;
  /** Checked addresses; the connection is pinned to these, so DNS cannot change its answer in between. */
  addresses: LookupAddress[];
  /**
   * Addresses the connect-time agent must accept although its own (stricter) check refuses them:
   * those of allow-listed hosts, and IPv4-in-IPv6 forms of public IPv4 addresses.
   */
  exempt: string[];
  /** How a refusal tells the operator to allow the target; default: add it to BERTH_FETCH_ALLOW. */
  hint?: (url: URL) => string;
}

export interface UrlPolicy {
  /** Normalised `host:port` entries from parseAllowList. */
  allow: ReadonlySet<string>;
  lookup: LookupAll;
  /** The operator's way out named in refusals. Default allowHint (BERTH_FETCH_ALLOW). */
  hint?: (url: URL) => string;
}

const ALLOW_ENTRY = /^(\[[0-9a-fA-F:.]+\]|[^\s:/?#@[\]]+):(\d{1,5})$/;

/** Parses `host:port` entries (e.g. `127.0.0.1:4567`, `[::1]:80`); a malformed one throws, at start. */
export function parseAllowList(entries: readonly string[]): Set<string> {
  return new Set(
    entries.map((entry) => {
      const match = ALLOW_ENTRY.exec(entry.trim());
      const port = Number(match?.[2]);
      if (!match || port < 1 || port > 65_535) {
        throw new Error(`fetch allow entry "${entry}" must be host:port, e.g. 127.0.0.1:4567 or [::1]:8080`);
      }
      return allowKey(new URL(`http://${match[1]}`).hostname, port);
    }),
  );
}

const allowKey = (hostname: string, port: number) => `${hostname.replace(/\.$/, '')}:${port}`;

/** The operator's way out, for a page that really is on an internal address (a fixture, the intranet). */
export function allowHint(url: URL): string {
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  return `to allow it, add ${url.hostname}:${port} to BERTH_FETCH_ALLOW`;
}

const blocked = (url: URL, message: string, details: BlockedAddress, hint = allowHint) =>
  toolFailure('ssrf_blocked', `${message}; ${hint(url)}`, {
    details: { host: url.hostname, ...details },
  });

/**
 * Checks a URL before any connection: scheme, the host's literal address or every address its
 * name resolves to. Runs again for every redirect hop.
 */
export async function resolveTarget(url: URL, policy: UrlPolicy): Promise<ToolResult<FetchTarget>> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    const reason = `${url.protocol} URLs are not fetched (http and https only)`;
    return toolFailure('ssrf_blocked', reason, { details: { url: url.href, reason } });
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  const allowListed = policy.allow.has(allowKey(url.hostname, port));
  const target = { url, host, port, ...(policy.hint ? { hint: policy.hint } : {}) };
  if (isIP(host) !== 0) {
    const address = { address: host, family: isIP(host) };
    return allowListed
      ? ok({ ...target, addresses: [address], exempt: [host] })
      : checkTarget(target, [address]);
  }
  const bare = host.replace(/\.$/, '');
  if (!allowListed && (bare === 'localhost' || bare.endsWith('.localhost'))) {
    const details = { address: host, reason: 'a loopback name' };
    return blocked(url, `${host} is a loopback name`, details, policy.hint);
  }
  const resolved = await resolveAll(host, policy.lookup);
  if (!resolved.ok) return resolved;
  const exempt = resolved.value.map((record) => record.address);
  return allowListed
    ? ok({ ...target, addresses: resolved.value, exempt })
    : checkTarget(target, resolved.value);
}

// ipaddr.js ranges request-filtering-agent refuses wholesale but the policy judges by the IPv4
// address inside; only these get exempted, so the agent still backs the policy up everywhere else.
const TRANSITION_RANGES = new Set<string>(['ipv4Mapped', 'rfc6145', 'rfc6052', '6to4', 'teredo']);

function checkTarget(
  target: Omit<FetchTarget, 'addresses' | 'exempt'>,
  addresses: LookupAddress[],
): ToolResult<FetchTarget> {
  const exempt: string[] = [];
  for (const record of addresses) {
    const verdict = checkAddress(record.address);
    if (!verdict.ok) {
      const { address, reason } = verdict.error;
      const literal = address === target.host;
      const message = literal
        ? `${target.url.hostname} is ${reason}`
        : `${target.host} resolves to ${address}, ${reason}`;
      return blocked(target.url, message, verdict.error, target.hint);
    }
    if (TRANSITION_RANGES.has(verdict.value.range())) exempt.push(record.address);
  }
  return ok({ ...target, addresses, exempt });
}

async function resolveAll(host: string, lookupAll: LookupAll): Promise<ToolResult<LookupAddress[]>> {
  try {
    const addresses = await lookupAll(host);
    if (addresses.length > 0) return ok(addresses);
    return toolFailure('fetch_failed', `${host} has no addresses`, { retryable: true });
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unknown error';
    return toolFailure('fetch_failed', `${host} could not be resolved (${code})`, {
      retryable: code !== 'ENOTFOUND',
      details: { host, code },
    });
  }
}

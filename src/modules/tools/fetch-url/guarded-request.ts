import type { LookupAddress } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';
import { ok } from '../../../platform/errors.js';
import { type ToolResult, toolFailure } from '../tool.js';
import { type BlockedAddress, checkAddress } from './address-policy.js';
import { allowHint, type FetchTarget } from './url-guard.js';

class RefusedAtConnect extends Error {
  constructor(readonly blocked: BlockedAddress) {
    super(`${blocked.address} is ${blocked.reason}`);
  }
}

// request-filtering-agent's own refusals carry no code; its message is the only way to tell them apart.
const AGENT_REFUSAL = /is not allowed\. Because/;

/**
 * Answers the connection's DNS question with the addresses the URL guard already checked, so a
 * second resolution cannot swap in another (DNS rebinding). The policy runs again here, at connect
 * time, for every address the socket may use.
 */
function pinnedLookup(target: FetchTarget): LookupFunction {
  return (_hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : (options.family ?? 0);
    const usable = target.addresses.filter((record) => family === 0 || record.family === family);
    for (const record of usable) {
      const verdict = target.exempt.includes(record.address) ? null : checkAddress(record.address);
      if (verdict && !verdict.ok) return callback(new RefusedAtConnect(verdict.error), []);
    }
    const [first] = usable;
    if (!first) return callback(Object.assign(new Error('no usable address'), { code: 'ENOTFOUND' }), []);
    if (options.all) return callback(null, usable satisfies LookupAddress[]);
    callback(null, first.address, first.family);
  };
}

export interface GuardedResponse {
  response: IncomingMessage;
  /** Frees the socket; call once the body is read or abandoned. */
  release(): void;
}

export interface GuardedRequestOptions {
  signal: AbortSignal;
  headers: Record<string, string>;
  /** Default GET. */
  method?: 'GET' | 'POST' | 'DELETE';
  /** Sent as the request body (with its Content-Length). */
  body?: Buffer;
}

/** One GET through the guard (see guardedRequest). */
export const guardedGet = (
  target: FetchTarget,
  options: { signal: AbortSignal; headers: Record<string, string> },
): Promise<ToolResult<GuardedResponse>> => guardedRequest(target, options);

/**
 * One request through request-filtering-agent, whose agent checks the address each socket actually
 * connects to (literal hosts included, which never reach a lookup).
 */
export function guardedRequest(
  target: FetchTarget,
  options: GuardedRequestOptions,
): Promise<ToolResult<GuardedResponse>> {
  const secure = target.url.protocol === 'https:';
  const filter = { allowIPAddressList: target.exempt, keepAlive: false };
  const agent = secure ? new RequestFilteringHttpsAgent(filter) : new RequestFilteringHttpAgent(filter);
  return new Promise((resolve) => {
    const request = (secure ? https : http).request({
      host: target.host,
      port: target.port,
      path: `${target.url.pathname}${target.url.search}`,
      method: options.method ?? 'GET',
      headers: options.body
        ? { ...options.headers, 'content-length': String(options.body.length) }
        : options.headers,
      agent,
      lookup: pinnedLookup(target),
      signal: options.signal,
    });
    const release = () => {
      request.destroy();
      agent.destroy();
    };
    request.once('response', (response) => resolve(ok({ response, release })));
    request.on('error', (error) => {
      release();
      resolve(describeRequestError(target, error));
    });
    request.end(options.body);
  });
}

function describeRequestError(target: FetchTarget, error: Error): ToolResult<never> {
  const hint = target.hint ?? allowHint;
  if (error instanceof RefusedAtConnect) {
    const { address, reason } = error.blocked;
    return toolFailure(
      'ssrf_blocked',
      `${target.host} resolves to ${address}, ${reason}; ${hint(target.url)}`,
      {
        details: { host: target.host, ...error.blocked },
      },
    );
  }
  if (AGENT_REFUSAL.test(error.message)) {
    return toolFailure(
      'ssrf_blocked',
      `${target.url.hostname} was refused at connect time: ${error.message}; ${hint(target.url)}`,
      {
        details: { host: target.host },
      },
    );
  }
  const code = 'code' in error ? String(error.code) : error.name;
  return toolFailure('fetch_failed', `Fetching ${target.url.origin} failed: ${error.message}`, {
    retryable: true,
    details: { code },
  });
}

import { Readable } from 'node:stream';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  guardedRequest,
  type LookupAll,
  parseAllowList,
  resolveTarget,
  systemLookup,
} from '../../tools/index.js';

/** A request the address policy refused; the connection's last error says why. */
export class McpAddressRefused extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'McpAddressRefused';
  }
}

export interface GuardedFetchOptions {
  /** host:port entries (mcp.allow) reachable whatever their address. */
  allow: readonly string[];
  lookup?: LookupAll;
}

const hint = (url: URL) => {
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  return `to allow it, add ${url.hostname}:${port} to BERTH_MCP_ALLOW (mcp.allow)`;
};

const methodOf = (init?: RequestInit) => {
  const method = (init?.method ?? 'GET').toUpperCase();
  if (method === 'GET' || method === 'POST' || method === 'DELETE') return method;
  throw new McpAddressRefused(`MCP transport used method ${method}, which Berth does not send`, 'mcp_method');
};

async function bodyOf(init?: RequestInit): Promise<Buffer | undefined> {
  if (init?.body === undefined || init.body === null) return undefined;
  return Buffer.from(await new Response(init.body).arrayBuffer());
}

/**
 * The fetch the SDK's Streamable HTTP transport uses for an HTTP MCP server: every request goes
 * through fetch_url's guard (scheme, every resolved address, pinned at connect time), with
 * mcp.allow as its allow list. Redirects are not followed; the SDK sees them as failed responses.
 */
export function guardedFetch(options: GuardedFetchOptions): FetchLike {
  const policy = { allow: parseAllowList(options.allow), lookup: options.lookup ?? systemLookup, hint };
  return async (input, init) => {
    const url = new URL(String(input));
    const target = await resolveTarget(url, policy);
    if (!target.ok) throw new McpAddressRefused(target.error.message, target.error.code);
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const sent = await guardedRequest(target.value, {
      method: methodOf(init),
      headers,
      body: await bodyOf(init),
      signal: init?.signal ?? new AbortController().signal,
    });
    if (!sent.ok) throw new McpAddressRefused(sent.error.message, sent.error.code);
    const { response, release } = sent.value;
    response.once('close', release);
    const replyHeaders = new Headers();
    for (const [key, value] of Object.entries(response.headers)) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) replyHeaders.append(key, item);
    }
    const status = response.statusCode ?? 502;
    const empty = status === 204 || status === 304 || init?.method === 'HEAD';
    if (empty) release();
    const body = empty ? null : (Readable.toWeb(response) as ReadableStream<Uint8Array>);
    return new Response(body, { status, statusText: response.statusMessage, headers: replyHeaders });
  };
}

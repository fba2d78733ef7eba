import { isIP } from 'node:net';
import { z } from 'zod';
import { fail, ok } from '../../../platform/errors.js';
import { guardedRequest } from '../fetch-url/guarded-request.js';
import { readBody } from '../fetch-url/read-body.js';
import {
  type FetchTarget,
  type LookupAll,
  parseAllowList,
  resolveTarget,
  systemLookup,
  type UrlPolicy,
} from '../fetch-url/url-guard.js';
import { defineTool, type ToolError, type ToolResult, toolFailure } from '../tool.js';

export interface HttpPostOptions {
  /** `host:port` entries http_post may post to (BERTH_WEBHOOK_ALLOW); nothing else is reachable. Default none. */
  allow?: readonly string[];
  /** Whole call: DNS, connect, request, response. Default 10 s. */
  timeoutMs?: number;
  /** Cap on the JSON body sent. Default 256 KiB. */
  maxRequestBytes?: number;
  /** Cap on the response body kept in the output; a longer one is cut and `truncated` set. Default 16 KiB. */
  maxResponseBytes?: number;
  /** Default `Berth (+http_post)`; the app passes `Berth/<version> (+http_post)`. */
  userAgent?: string;
  /** Every A/AAAA record of a name. Default dns.lookup with `all: true`. */
  lookup?: LookupAll;
}

export const httpPostUserAgent = (version: string) => `Berth/${version} (+http_post)`;

const input = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
    .max(4096)
    .describe('The webhook URL; its host:port must be on the operator’s allow list'),
  body: z.record(z.string(), z.unknown()).describe('The JSON object to post'),
});

const output = z.object({
  url: z.string(),
  status: z.number().int(),
  contentType: z.string(),
  /** The response body, cut at the cap. */
  body: z.string(),
  truncated: z.boolean(),
});

export type HttpPostOutput = z.output<typeof output>;

const portOf = (url: URL) => Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

// A listed name is only a promise about the name: whatever it resolves to still has to be public
// (DNS can change under it). Only an entry that names an address itself lets a private one through.
const addressEntries = (allow: ReadonlySet<string>) =>
  new Set([...allow].filter((entry) => isIP(entry.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1')) !== 0));

const webhookHint = (url: URL) =>
  `http_post reaches a non-public address only when the URL names that address and BERTH_WEBHOOK_ALLOW lists it (e.g. 10.0.0.5:${portOf(url)})`;

/**
 * POSTs a JSON object to a webhook on the allow list, through the same SSRF guard as fetch_url
 * (addresses checked before and at connect time, pinned against DNS rebinding). No redirect is
 * followed: a 3xx could point anywhere. The Idempotency-Key header lets the receiver drop a retry.
 */
export function createHttpPostTool(options: HttpPostOptions = {}) {
  const allow = parseAllowList(options.allow ?? []);
  const policy: UrlPolicy = {
    allow: addressEntries(allow),
    lookup: options.lookup ?? systemLookup,
    hint: webhookHint,
  };
  const maxRequestBytes = options.maxRequestBytes ?? 256 * 1024;
  const maxResponseBytes = options.maxResponseBytes ?? 16 * 1024;
  const userAgent = options.userAgent ?? 'Berth (+http_post)';
  return defineTool({
    name: 'http_post',
    description:
      'POST a JSON object to a webhook the operator allowed. Changes the world: it runs only after approval. ' +
      'Returns the response status and the start of its body.',
    input,
    output,
    sideEffects: true,
    timeoutMs: options.timeoutMs ?? 10_000,
    maxOutputBytes: maxResponseBytes * 6 + 16 * 1024,
    async run({ url, body }, ctx): Promise<ToolResult<HttpPostOutput>> {
      const target = new URL(url);
      if (target.username || target.password) {
        return toolFailure('webhook_not_allowed', 'http_post URLs may not carry a user name or password', {
          details: { host: target.hostname },
        });
      }
      const key = `${target.hostname.replace(/\.$/, '')}:${portOf(target)}`;
      if (!allow.has(key)) {
        return toolFailure(
          'webhook_not_allowed',
          `${key} is not on the webhook allow list (BERTH_WEBHOOK_ALLOW)`,
          {
            details: { host: hostOf(target), port: portOf(target) },
          },
        );
      }
      const payload = Buffer.from(JSON.stringify(body));
      if (payload.length > maxRequestBytes) {
        return toolFailure(
          'input_too_large',
          `the body is ${payload.length} bytes, over ${maxRequestBytes}`,
          {
            details: { bytes: payload.length, limit: maxRequestBytes },
          },
        );
      }
      const resolved = await resolveTarget(target, policy);
      if (!resolved.ok) return renamed(resolved);
      const headers = {
        'content-type': 'application/json',
        accept: 'application/json, text/plain;q=0.9, */*;q=0.1',
        'user-agent': userAgent,
        'idempotency-key': ctx.idempotencyKey,
      };
      return post(resolved.value, { headers, payload, signal: ctx.signal, maxResponseBytes });
    },
  });
}

// The guard names network failures after fetching; for a webhook they are a failed delivery.
const renamed = ({ error }: { error: ToolError }): ToolResult<never> =>
  fail(error.code === 'fetch_failed' ? { ...error, code: 'webhook_failed' } : error);

async function post(
  target: FetchTarget,
  request: {
    headers: Record<string, string>;
    payload: Buffer;
    signal: AbortSignal;
    maxResponseBytes: number;
  },
): Promise<ToolResult<HttpPostOutput>> {
  const sent = await guardedRequest(target, {
    method: 'POST',
    headers: request.headers,
    body: request.payload,
    signal: request.signal,
  });
  if (!sent.ok) return renamed(sent);
  const { response, release } = sent.value;
  try {
    const status = response.statusCode ?? 0;
    const contentType = response.headers['content-type'] ?? '';
    const read = await readBody(response, request.maxResponseBytes);
    if (!read.ok) return renamed(read);
    const { text, truncated } = read.value;
    const result = { url: target.url.href, status, contentType, body: text, truncated };
    if (status >= 200 && status <= 299) return ok(result);
    // The receiver may be down or overloaded (5xx, 429); any other answer will not change on a retry.
    return toolFailure(
      'webhook_http_error',
      `POST ${target.url.origin}${target.url.pathname} answered ${status}`,
      {
        retryable: status >= 500 || status === 429,
        details: { status, body: text, truncated },
      },
    );
  } finally {
    release();
  }
}

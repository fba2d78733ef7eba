import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { ok } from '../../../platform/errors.js';
import { defineTool, type ToolResult, toolFailure } from '../tool.js';
import { type GuardedResponse, guardedGet } from './guarded-request.js';
import { readBody } from './read-body.js';
import { type LookupAll, parseAllowList, resolveTarget, systemLookup, type UrlPolicy } from './url-guard.js';

export const DEFAULT_FETCH_CONTENT_TYPES = [
  'text/html',
  'application/xhtml+xml',
  'text/plain',
  'text/markdown',
  'application/json',
  'application/xml',
  'text/xml',
] as const;

export interface FetchUrlOptions {
  /** `host:port` entries reachable whatever their address (BERTH_FETCH_ALLOW); exact match only. Default none. */
  allow?: readonly string[];
  /** Cap on the decoded body; a longer body is cut there and `truncated` set. Default 2 MiB. */
  maxBytes?: number;
  /** Total time for every hop: DNS, connect, headers and body. Default 15 s. */
  timeoutMs?: number;
  /** Redirects followed, each re-checked. Default 5. */
  maxRedirects?: number;
  /** Default `Berth (+fetch_url)`; the app passes `Berth/<version> (+fetch_url)`. */
  userAgent?: string;
  /** Media types accepted; others fail `unsupported_content_type`. Default DEFAULT_FETCH_CONTENT_TYPES. */
  contentTypes?: readonly string[];
  /** Every A/AAAA record of a name. Default dns.lookup with `all: true`. */
  lookup?: LookupAll;
}

export const fetchUserAgent = (version: string) => `Berth/${version} (+fetch_url)`;

const input = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
    .max(4096)
    .describe('The http(s) URL to GET'),
});

const output = z.object({
  url: z.string().describe('The final URL, after redirects'),
  status: z.number().int(),
  contentType: z.string(),
  body: z.string(),
  bytes: z.number().int().nonnegative(),
  truncated: z.boolean(),
});

export type FetchUrlOutput = z.output<typeof output>;

/** GET over http(s) from public addresses only, with every hop, address and byte checked. */
export function createFetchUrlTool(options: FetchUrlOptions = {}) {
  const maxBytes = options.maxBytes ?? 2 * 1024 * 1024;
  const maxRedirects = options.maxRedirects ?? 5;
  const policy: UrlPolicy = {
    allow: parseAllowList(options.allow ?? []),
    lookup: options.lookup ?? systemLookup,
  };
  const contentTypes = new Set(options.contentTypes ?? DEFAULT_FETCH_CONTENT_TYPES);
  const headers = {
    'user-agent': options.userAgent ?? 'Berth (+fetch_url)',
    accept: [...contentTypes].join(', '),
    'accept-encoding': 'gzip, deflate, br',
  };
  return defineTool({
    name: 'fetch_url',
    description:
      'GET a public web page or document (HTML, plain text, Markdown, JSON, XML) and return its raw body. ' +
      'Internal and private addresses are refused. Pass HTML to extract_text for readable text.',
    input,
    output,
    sideEffects: false,
    timeoutMs: options.timeoutMs ?? 15_000,
    // JSON escaping can grow text up to six-fold (control characters become \u00XX).
    maxOutputBytes: maxBytes * 6 + 64 * 1024,
    async run({ url }, ctx): Promise<ToolResult<FetchUrlOutput>> {
      let current = new URL(url);
      for (let hop = 0; hop <= maxRedirects; hop++) {
        const target = await resolveTarget(current, policy);
        if (!target.ok) return target;
        const got = await guardedGet(target.value, { signal: ctx.signal, headers });
        if (!got.ok) return got;
        const next = redirectTarget(got.value.response, current);
        if (next === null) return finish(got.value, current, { maxBytes, contentTypes });
        got.value.release();
        if (!next.ok) return next;
        current = next.value;
      }
      return toolFailure('too_many_redirects', `${url} redirected more than ${maxRedirects} times`, {
        details: { maxRedirects, last: current.href },
      });
    },
  });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function redirectTarget(response: IncomingMessage, from: URL): ToolResult<URL> | null {
  const location = response.headers.location;
  if (!REDIRECTS.has(response.statusCode ?? 0) || !location) return null;
  try {
    return ok(new URL(location, from));
  } catch {
    return toolFailure('fetch_failed', `${from.href} redirected to an invalid URL`, {
      details: { location },
    });
  }
}

async function finish(
  { response, release }: GuardedResponse,
  url: URL,
  limits: { maxBytes: number; contentTypes: ReadonlySet<string> },
): Promise<ToolResult<FetchUrlOutput>> {
  const status = response.statusCode ?? 0;
  const contentType = response.headers['content-type'] ?? '';
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  try {
    if (status < 200 || status > 299) {
      return toolFailure('http_error', `GET ${url.href} answered ${status}`, {
        retryable: status >= 500 || status === 429,
        details: { status, url: url.href },
      });
    }
    if (!limits.contentTypes.has(mediaType)) {
      return toolFailure(
        'unsupported_content_type',
        `${url.href} is ${contentType || 'of no declared type'}`,
        {
          details: { contentType, accepted: [...limits.contentTypes] },
        },
      );
    }
    const body = await readBody(response, limits.maxBytes);
    if (!body.ok) return body;
    const { text, bytes, truncated } = body.value;
    return ok({ url: url.href, status, contentType, body: text, bytes, truncated });
  } finally {
    release();
  }
}

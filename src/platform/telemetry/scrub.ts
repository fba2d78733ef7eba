/**
 * Secrets and personal data that free text (log messages, error messages and stacks) may carry,
 * each replaced by a marker that says what was there. Paths pino redacts cover structured fields;
 * this covers what a message or an error says in passing.
 */
const patterns: Array<[RegExp, string]> = [
  // Credentials in a URL (smtp://user:password@host, postgres://…): before e-mail addresses, which they look like.
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi, '$1[redacted]@'],
  // Berth API keys: berth_ and 32 base64url characters (the 16-character prefix `keys list` shows is not one).
  [/\bberth_[A-Za-z0-9_-]{20,}/g, 'berth_[redacted]'],
  // Provider keys in the sk-… form (OpenAI, Anthropic).
  [/\bsk-[A-Za-z0-9_-]{16,}/g, 'sk-[redacted]'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]'],
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g, '[email]'],
  // A failed query's parameters (drizzle's "Failed query: …\nparams: …"): the values a request sent.
  [/\nparams: [\s\S]*?(?=\n\s+at |\ncaused by|$)/g, '\nparams: [redacted]'],
];

/** The text with every key, token, URL credential, e-mail address and query parameter list replaced. */
export function scrubText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of patterns) out = out.replace(pattern, replacement);
  return out;
}

const MAX_DEPTH = 8;

/** A copy of a plain value with every string scrubbed; objects deeper than MAX_DEPTH are left out. */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1));
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = scrubValue(item, depth + 1);
  return out;
}

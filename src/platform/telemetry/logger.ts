import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import { scrubText, scrubValue } from './scrub.js';

export type { Logger } from 'pino';

/** Paths that may hold secrets or personal data; pino replaces them before a line is written. */
const redactPaths = [
  ...['req.headers', 'headers', 'request.headers'].flatMap((h) => [
    `${h}.authorization`,
    `${h}.cookie`,
    `${h}["x-api-key"]`,
    `${h}["proxy-authorization"]`,
  ]),
  'res.headers["set-cookie"]',
  ...['apiKey', 'password', 'token', 'secret', 'signingKey', 'databaseUrl', 'smtpUrl', 'pass'].flatMap(
    (field) => [field, `*.${field}`],
  ),
  'smtp.url',
  '*.smtp.url',
  'smtp.auth',
  '*.smtp.auth',
];

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null &&
  typeof value === 'object' &&
  (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);

/**
 * Scrubs the strings of a line's own fields; objects with serializers of their own (errors,
 * requests) are left to them, so they are not flattened here.
 */
function scrubFields(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    out[key] =
      typeof value === 'string' || isPlainObject(value) || Array.isArray(value) ? scrubValue(value) : value;
  }
  return out;
}

/** pino's error serializer, then the scrubber over its message, stack and fields; a failed query keeps its SQL, not its parameters. */
function scrubbedError(error: unknown): unknown {
  const serialized: unknown = pino.stdSerializers.err(error as Error);
  if (serialized === null || typeof serialized !== 'object') return scrubValue(serialized);
  // Spread copies the enumerable fields only (not the raw error); drizzle puts the values on `params`.
  const { params: _params, ...fields } = serialized as Record<string, unknown>;
  return scrubValue(fields);
}

export type LogFormat = 'json' | 'pretty';

/**
 * The active span's ids on every line, so a log line leads to its trace and a trace to its lines.
 * Nothing outside a span, and nothing at all while tracing is off (there is never an active span).
 */
export function traceFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return isSpanContextValid(span.spanContext()) ? { trace_id: traceId, span_id: spanId } : {};
}

/**
 * JSON lines by default (what log collectors want); `pretty` renders readable, coloured lines for a
 * person at a terminal, in this thread (no transport worker), with the same redaction.
 */
export function createLogger(
  level: string,
  destination?: DestinationStream,
  format: LogFormat = 'json',
): Logger {
  const options = {
    level,
    base: { service: 'berth' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactPaths, censor: '[redacted]' },
    mixin: traceFields,
    serializers: { err: scrubbedError },
    formatters: { log: scrubFields },
    hooks: {
      logMethod(args: unknown[], method: (...args: unknown[]) => void) {
        method.apply(
          this,
          args.map((arg) => (typeof arg === 'string' ? scrubText(arg) : arg)),
        );
      },
    },
  };
  if (format === 'json') return pino(options, destination);
  const pretty = pinoPretty({
    destination: destination ?? 1,
    sync: true,
    colorize: destination === undefined && process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service',
  });
  return pino(options, pretty);
}

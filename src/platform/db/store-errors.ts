/**
 * Errors that mean "the store cannot be reached or is saturated right now", as opposed to a bug or a bad
 * query: a pool with every connection busy past its connect timeout, a refused or dropped connection,
 * Postgres shutting down or out of connection slots. Callers answer them with a retryable 503.
 */
const UNAVAILABLE_MESSAGES = [
  'timeout exceeded when trying to connect', // pg-pool: every connection busy for connectionTimeoutMillis
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
];
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down)
  '53300', // too_many_connections
]);

/** True when the error, or an error it wraps (drizzle wraps driver errors as `cause`), is one of those. */
export function isStoreUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const candidate = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof candidate.code === 'string' && UNAVAILABLE_CODES.has(candidate.code)) return true;
    if (typeof candidate.message === 'string' && UNAVAILABLE_MESSAGES.some((m) => candidate.message === m)) {
      return true;
    }
    current = candidate.cause;
  }
  return false;
}

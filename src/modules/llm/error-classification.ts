import {
  APICallError,
  EmptyResponseBodyError,
  InvalidResponseDataError,
  JSONParseError,
  TypeValidationError,
} from '@ai-sdk/provider';
import { StreamProviderError } from 'ai';
import { isBrokenCircuitError, isTaskCancelledError } from 'cockatiel';

/** The caller aborted the call (client gone, user pressed stop): not the provider's fault, never retried. */
export class CallAbortedError extends Error {
  constructor(readonly reason: unknown) {
    super('the model call was aborted by the caller');
    this.name = 'CallAbortedError';
  }
}

// Socket-level failures worth another attempt (undici and Node codes).
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

const transientStatus = (status: number): boolean =>
  status === 408 || status === 409 || status === 429 || status >= 500;

/** Walks `error`, its `cause`s and an AI SDK RetryError's `lastError`, outermost first. */
export function errorChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && !chain.includes(current) && chain.length < 10) {
    chain.push(current);
    if (typeof current !== 'object') break;
    const next = 'lastError' in current && current.lastError !== undefined ? current.lastError : undefined;
    current = next ?? ('cause' in current ? current.cause : undefined);
  }
  return chain;
}

export function statusCodeOf(error: unknown): number | undefined {
  for (const link of errorChain(error)) {
    if (APICallError.isInstance(link) || StreamProviderError.isInstance(link)) {
      if (link.statusCode !== undefined) return link.statusCode;
    }
  }
  return undefined;
}

export function isNetworkError(error: unknown): boolean {
  return errorChain(error).some((link) => {
    if (APICallError.isInstance(link) && link.statusCode === undefined && link.isRetryable) return true;
    if (link instanceof TypeError && link.message.toLowerCase() === 'fetch failed') return true;
    const code = typeof link === 'object' && link !== null && 'code' in link ? link.code : undefined;
    return typeof code === 'string' && networkCodes.has(code);
  });
}

/** Our own timeout fired (cockatiel's TaskCancelledError) or a DOM TimeoutError. */
export function isTimeout(error: unknown): boolean {
  return errorChain(error).some(
    (link) => isTaskCancelledError(link) || (link instanceof Error && link.name === 'TimeoutError'),
  );
}

export function isCallerAbort(error: unknown): boolean {
  return errorChain(error).some(
    (link) => link instanceof CallAbortedError || (link instanceof Error && link.name === 'AbortError'),
  );
}

/** The provider answered 2xx but with something the SDK could not parse or validate. */
export function isMalformedResponse(error: unknown): boolean {
  return errorChain(error).some(
    (link) =>
      JSONParseError.isInstance(link) ||
      TypeValidationError.isInstance(link) ||
      InvalidResponseDataError.isInstance(link) ||
      EmptyResponseBodyError.isInstance(link) ||
      (APICallError.isInstance(link) && link.statusCode !== undefined && link.statusCode < 300),
  );
}

/** Worth another attempt: network errors and 408/409/429/5xx. Never 400/401/403/404/422, timeouts or aborts. */
export function isTransient(error: unknown): boolean {
  if (isBrokenCircuitError(error) || isCallerAbort(error) || isTimeout(error)) return false;
  const status = statusCodeOf(error);
  if (status !== undefined) return transientStatus(status);
  if (StreamProviderError.isInstance(error)) return error.isRetryable;
  return isNetworkError(error);
}

/** Counts toward opening the breaker: the provider is unhealthy (down, slow, overloaded or talking nonsense). */
export function isProviderFailure(error: unknown): boolean {
  if (isBrokenCircuitError(error) || isCallerAbort(error)) return false;
  return isTransient(error) || isTimeout(error) || isMalformedResponse(error);
}

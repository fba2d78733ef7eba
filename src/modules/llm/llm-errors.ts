import { APICallError } from '@ai-sdk/provider';
import { NoOutputGeneratedError, StreamProviderError } from 'ai';
import { isBrokenCircuitError } from 'cockatiel';
import { AppError, isAppError } from '../../platform/errors.js';
import {
  errorChain,
  isCallerAbort,
  isMalformedResponse,
  isNetworkError,
  isTimeout,
  statusCodeOf,
} from './error-classification.js';
import type { ModelRef } from './llm.types.js';
import { apiKeyEnvVar } from './providers.js';

/** What the wrapper knows beyond the error itself, to make the message precise. */
export interface LlmErrorContext {
  ref?: ModelRef;
  /** Configured API keys, blanked out of any provider text that ends up in a message. */
  secrets?: readonly string[];
  /** Milliseconds until an open breaker lets a trial call through. */
  pausedForMs?: number;
  timeoutMs?: number;
}

const MAX_PROVIDER_TEXT = 300;
// Shapes of common API keys and tokens, for text that may echo one back (e.g. "Incorrect API key: sk-…").
const keyPatterns = [
  /\b(?:sk|pk|rk)-[A-Za-z0-9_-]{6,}/g,
  /\bAIza[0-9A-Za-z_-]{20,}/g,
  /\bBearer\s+[\w.~+/=-]+/gi,
];

export function redact(text: string, secrets: readonly string[] = []): string {
  let clean = text;
  for (const secret of secrets) if (secret.length >= 4) clean = clean.split(secret).join('[redacted]');
  for (const pattern of keyPatterns) clean = clean.replace(pattern, '[redacted]');
  return clean.length > MAX_PROVIDER_TEXT ? `${clean.slice(0, MAX_PROVIDER_TEXT)}…` : clean;
}

function providerText(error: unknown, secrets?: readonly string[]): string {
  const link = errorChain(error).find((e) => APICallError.isInstance(e) || StreamProviderError.isInstance(e));
  const source = link ?? error;
  const message = source instanceof Error ? source.message : String(source);
  return redact(message.trim(), secrets);
}

/**
 * Maps whatever a model call threw to an AppError with a user-facing message. The raw error is
 * deliberately not kept as `cause`: APICallError carries the request body (the prompt), which must not
 * reach logs; `details` keeps what an operator needs (provider, model, HTTP status).
 */
export function describeLlmError(error: unknown, context: LlmErrorContext = {}): AppError {
  const found = errorChain(error).find(isAppError);
  if (found) return found;
  const { ref } = context;
  const provider = ref?.provider ?? 'the LLM provider';
  const who = ref ? `${ref.provider} model "${ref.model}"` : 'the LLM provider';
  const status = statusCodeOf(error);
  const details = { provider: ref?.provider, model: ref?.model, status };
  if (errorChain(error).some(isBrokenCircuitError)) {
    const seconds =
      context.pausedForMs === undefined ? undefined : Math.max(1, Math.ceil(context.pausedForMs / 1000));
    const pause = seconds === undefined ? 'for a short while' : `for ${seconds} s`;
    const message = `LLM provider ${provider} is failing; calls are paused ${pause}.`;
    return new AppError('llm_unavailable', message, { details: { ...details, retryAfterSeconds: seconds } });
  }
  if (isTimeout(error)) {
    const limit = context.timeoutMs === undefined ? '' : ` within ${context.timeoutMs / 1000} s`;
    return new AppError('llm_timeout', `The ${who} did not answer${limit}.`, { details });
  }
  if (status === 401 || status === 403) {
    const envVar = ref ? apiKeyEnvVar[ref.provider] : undefined;
    const check = envVar ? `; check ${envVar}` : '';
    const message = `LLM provider ${provider} rejected the API key (HTTP ${status})${check}.`;
    return new AppError('llm_error', message, { details });
  }
  return new AppError('llm_error', otherMessage(error, status, who, context.secrets), { details });
}

function otherMessage(
  error: unknown,
  status: number | undefined,
  who: string,
  secrets?: readonly string[],
): string {
  if (isCallerAbort(error)) return `The call to the ${who} was cancelled.`;
  if (status === 429) return `The ${who} is rate-limiting requests (HTTP 429); try again later.`;
  if (NoOutputGeneratedError.isInstance(error)) return `The ${who} returned no output.`;
  if (isMalformedResponse(error))
    return `The ${who} sent a response that could not be read (malformed JSON).`;
  if (status !== undefined) return `The ${who} failed with HTTP ${status}: ${providerText(error, secrets)}`;
  if (isNetworkError(error)) return `Could not reach the ${who}: ${providerText(error, secrets)}`;
  return `The ${who} failed: ${providerText(error, secrets)}`;
}

/**
 * Maps anything a model call threw (cockatiel BrokenCircuitError / TaskCancelledError, AI SDK
 * APICallError, RetryError, network errors…) to an AppError: breaker open → llm_unavailable, timeout →
 * llm_timeout, key rejected (401/403) → llm_error, anything else → llm_error. AppErrors (what the
 * registry's models throw) pass through unchanged, also when wrapped in a cause. Never includes API keys.
 */
export function toLlmAppError(error: unknown, ref?: ModelRef): AppError {
  return describeLlmError(error, { ref });
}

import { APICallError, JSONParseError } from '@ai-sdk/provider';
import { NoOutputGeneratedError, RetryError } from 'ai';
import { BrokenCircuitError, TaskCancelledError } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.js';
import { isProviderFailure, isTransient } from './error-classification.js';
import { toLlmAppError } from './index.js';
import { describeLlmError, redact } from './llm-errors.js';

const ref = { provider: 'anthropic', model: 'claude-x' } as const;

const apiError = (statusCode: number | undefined, message = 'boom', cause?: unknown) =>
  new APICallError({
    message,
    url: 'https://api.example.test/v1/messages',
    requestBodyValues: { messages: [{ role: 'user', content: 'private prompt' }] },
    statusCode,
    cause,
  });

describe('toLlmAppError', () => {
  it('maps an open breaker to llm_unavailable naming the provider', () => {
    const error = toLlmAppError(new BrokenCircuitError(), ref);
    expect(error.code).toBe('llm_unavailable');
    expect(error.httpStatus).toBe(503);
    expect(error.message).toContain('anthropic is failing; calls are paused');
  });

  it('says how long calls are paused when the wrapper knows', () => {
    const error = describeLlmError(new BrokenCircuitError(), { ref, pausedForMs: 4_200 });
    expect(error.message).toBe('LLM provider anthropic is failing; calls are paused for 5 s.');
  });

  it('maps a cockatiel timeout and a DOM TimeoutError to llm_timeout', () => {
    expect(toLlmAppError(new TaskCancelledError('Operation timed out after 300ms'), ref).code).toBe(
      'llm_timeout',
    );
    expect(toLlmAppError(new DOMException('signal timed out', 'TimeoutError')).httpStatus).toBe(504);
  });

  it('says a 401 or 403 means the key was rejected, naming the env var and never the key', () => {
    const key = 'sk-ant-api03-abcdefghijklmnop';
    for (const status of [401, 403]) {
      const error = toLlmAppError(apiError(status, `invalid x-api-key ${key}`), ref);
      expect(error.code).toBe('llm_error');
      expect(error.message).toBe(
        `LLM provider anthropic rejected the API key (HTTP ${status}); check ANTHROPIC_API_KEY.`,
      );
    }
    const other = toLlmAppError(apiError(400, `bad request for key ${key}`), ref);
    expect(other.message).toContain('HTTP 400');
    expect(other.message).not.toContain(key);
  });

  it('keeps the prompt out of the error', () => {
    const error = toLlmAppError(apiError(500), ref);
    expect(JSON.stringify({ m: error.message, d: error.details, c: error.cause })).not.toContain(
      'private prompt',
    );
  });

  it('unwraps the AI SDK RetryError to its last error', () => {
    const retry = new RetryError({
      message: 'failed',
      reason: 'maxRetriesExceeded',
      errors: [apiError(503), apiError(429)],
    });
    expect(toLlmAppError(retry, ref).message).toContain('rate-limiting');
  });

  it('passes AppErrors through, also when they are the cause of another error', () => {
    const original = new AppError('llm_timeout', 'slow');
    expect(toLlmAppError(original)).toBe(original);
    expect(toLlmAppError(new Error('wrapper', { cause: original }))).toBe(original);
  });

  it('maps everything else to llm_error with a readable message', () => {
    expect(toLlmAppError(new JSONParseError({ text: '{', cause: new Error('x') }), ref).message).toContain(
      'could not be read',
    );
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:11434'), {
      code: 'ECONNREFUSED',
    });
    const network = apiError(
      undefined,
      'Cannot connect to API: connect ECONNREFUSED 127.0.0.1:11434',
      refused,
    );
    expect(toLlmAppError(network, ref).message).toContain('Could not reach');
    expect(toLlmAppError(new NoOutputGeneratedError(), ref).message).toContain('returned no output');
    expect(toLlmAppError('a string', ref)).toMatchObject({ code: 'llm_error', httpStatus: 502 });
  });
});

describe('error classification', () => {
  it('retries network errors and 408/409/429/5xx only', () => {
    for (const status of [408, 409, 429, 500, 502, 503, 504])
      expect(isTransient(apiError(status))).toBe(true);
    for (const status of [400, 401, 403, 404, 422]) expect(isTransient(apiError(status))).toBe(false);
    expect(isTransient(apiError(undefined, 'Cannot connect', new TypeError('fetch failed')))).toBe(true);
    expect(isTransient(new TaskCancelledError())).toBe(false);
  });

  it('counts timeouts and malformed responses, not refused requests, against the breaker', () => {
    expect(isProviderFailure(new TaskCancelledError())).toBe(true);
    expect(isProviderFailure(apiError(200, 'Invalid JSON response'))).toBe(true);
    expect(isProviderFailure(apiError(400))).toBe(false);
    expect(isProviderFailure(new DOMException('aborted', 'AbortError'))).toBe(false);
  });
});

describe('redact', () => {
  it('removes configured secrets and key-shaped tokens', () => {
    expect(
      redact('key my-own-secret-value and sk-proj-ABCDEF123456 and Bearer abc.def', ['my-own-secret-value']),
    ).toBe('key [redacted] and [redacted] and [redacted]');
  });
});

import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isStoreUnavailable } from '../db/index.js';
import { AppError, type ErrorCode, isAppError } from '../errors.js';

/** The response schema of every error, for routes' OpenAPI responses. */
export const errorReply = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
    request_id: z.string(),
  }),
});

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown; request_id: string };
}

const fastifyCodes: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload_too_large', message: 'Request body is larger than the limit' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'unsupported_media_type',
    message: 'Content-Type must be application/json',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'invalid_json', message: 'Request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'invalid_json',
    message: 'Request body is empty; a JSON object is expected',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'validation_failed',
    message: 'Content-Length does not match the body',
  },
  // Raised by the router before a route is known (through the server's `frameworkErrors`).
  FST_ERR_BAD_URL: {
    code: 'bad_request',
    message: 'The URL is not valid: a percent-encoded sequence does not decode',
  },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'uri_too_long', message: 'A path segment of the URL is too long' },
};

// Any other framework error that blames the request keeps its status in the envelope instead of becoming a 500.
const codesByStatus: Partial<Record<number, ErrorCode>> = {
  400: 'bad_request',
  404: 'not_found',
  408: 'request_timeout',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  431: 'headers_too_large',
};

function byStatus(error: FastifyError): AppError | undefined {
  const code = error.code?.startsWith('FST_ERR_') ? codesByStatus[error.statusCode ?? 0] : undefined;
  return code ? new AppError(code, error.message) : undefined;
}

function zodDetails(error: FastifyError) {
  if (!hasZodFastifySchemaValidationErrors(error)) return undefined;
  return error.validation.map((issue) => ({
    field: [error.validationContext, ...issue.instancePath.split('/').filter(Boolean)].join('.'),
    message: issue.message,
  }));
}

/** Maps anything thrown in a request to one error shape. Unknown errors become a logged, generic 500. */
export function toAppError(error: FastifyError | Error): AppError {
  if (isAppError(error)) return error;
  const fastifyError = error as FastifyError;
  const details = zodDetails(fastifyError);
  if (details) {
    const first = details[0];
    return new AppError('validation_failed', `Invalid request: ${first?.field} ${first?.message}`, {
      details,
    });
  }
  if (fastifyError.validation) {
    return new AppError('validation_failed', `Invalid request: ${fastifyError.message}`);
  }
  const known = fastifyError.code ? fastifyCodes[fastifyError.code] : undefined;
  if (known) return new AppError(known.code, known.message);
  const framework = byStatus(fastifyError);
  if (framework) return framework;
  if (error instanceof SyntaxError) return new AppError('invalid_json', 'Request body is not valid JSON');
  // Node's error when the client goes away mid-body: ECONNRESET, which is not the store's.
  if (fastifyError.code === 'ECONNRESET' && error.message === 'aborted') {
    return new AppError('bad_request', 'The client closed the connection before its request body arrived');
  }
  if (isStoreUnavailable(error)) {
    return new AppError('store_unavailable', 'The database is busy or unreachable; retry shortly', {
      cause: error,
    });
  }
  return new AppError('internal_error', 'Internal error', { cause: error });
}

export function errorBody(error: AppError, requestId: string): ErrorBody {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
      request_id: requestId,
    },
  };
}

/** A request with no body at all fails its body schema; say that rather than what the schema received. */
function missingBody(error: FastifyError | Error, request: FastifyRequest): AppError | undefined {
  const isBodyValidation = (error as FastifyError).validationContext === 'body';
  if (!isBodyValidation || (request.body !== undefined && request.body !== null)) return undefined;
  return new AppError('validation_failed', 'Request body is missing; a JSON object is expected');
}

/** How each refused request was refused, for the response facts (response-facts.ts). */
const refusals = new WeakMap<FastifyRequest, { code: ErrorCode; oversized: boolean }>();
export const refusalOf = (request: FastifyRequest) => refusals.get(request);

/** Refused for its size: 413, a schema's length limit (zod `too_big`), or a limit a service names (`details[].limit`). */
function oversized(error: FastifyError | Error, appError: AppError): boolean {
  if (appError.code === 'payload_too_large') return true;
  if (appError.code !== 'validation_failed') return false;
  const validation = (error as FastifyError).validation;
  if (validation?.some((issue) => issue.keyword === 'too_big')) return true;
  return (
    Array.isArray(appError.details) &&
    appError.details.some((d) => typeof (d as { limit?: unknown } | null)?.limit === 'number')
  );
}

export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  const appError = missingBody(error, request) ?? toAppError(error);
  refusals.set(request, { code: appError.code, oversized: oversized(error, appError) });
  if (appError.httpStatus >= 500) {
    request.log.error({ err: appError.code === 'internal_error' ? error : appError }, appError.message);
  } else {
    request.log.info({ code: appError.code }, appError.message);
  }
  if (appError.retryAfterSeconds !== undefined) reply.header('retry-after', appError.retryAfterSeconds);
  return reply.status(appError.httpStatus).send(errorBody(appError, request.id));
}

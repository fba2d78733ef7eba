/** Every error code Berth returns, with its HTTP status. One table, so clients can rely on it. */
export const errorCodes = {
  validation_failed: 400,
  /** An OpenAI request field Berth cannot honour for this model (details.field names it); never ignored. */
  unsupported_parameter: 400,
  invalid_json: 400,
  /** The HTTP message itself is malformed: request line, header syntax, framing, URL encoding. */
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  /** Four eyes: the approver is the user the task runs for. */
  approval_needs_second_person: 403,
  not_found: 404,
  agent_not_found: 404,
  conversation_not_found: 404,
  task_not_found: 404,
  step_not_found: 404,
  approval_not_found: 404,
  /** /mcp takes POST only (Berth's MCP server is stateless: no GET event stream, no sessions to DELETE). */
  method_not_allowed: 405,
  request_timeout: 408,
  conflict: 409,
  /** The arguments the approver saw are not the ones the step would run with. */
  approval_args_changed: 409,
  approval_expired: 409,
  approval_decided: 409,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  token_budget_exceeded: 422,
  idempotency_key_reused: 422,
  rate_limited: 429,
  /** A tenant's or agent's token or cost budget would be passed; details.resets_at says when it resets. */
  budget_exhausted: 429,
  headers_too_large: 431,
  internal_error: 500,
  llm_error: 502,
  tool_steps_exceeded: 502,
  /** The provider's answer does not match the request's response_format (not JSON, or not its schema). */
  model_output_invalid: 502,
  llm_unavailable: 503,
  /** The OpenID provider (discovery, its signing keys, its token endpoint) did not answer. */
  identity_provider_unavailable: 503,
  not_ready: 503,
  shutting_down: 503,
  store_unavailable: 503,
  llm_timeout: 504,
} as const;

export type ErrorCode = keyof typeof errorCodes;

export interface AppErrorOptions {
  details?: unknown;
  cause?: unknown;
  /** Sent as the Retry-After header when the error answers a request. */
  retryAfterSeconds?: number;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly httpStatus: number;
  readonly details?: unknown;
  readonly retryAfterSeconds?: number;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.httpStatus = errorCodes[code];
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;

/** Expected failures are values: validators and policy checks return this instead of throwing. */
export type Result<T, E = AppError> = { ok: true; value: T } | { ok: false; error: E };
export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const fail = <E>(error: E): Result<never, E> => ({ ok: false, error });

import { getKey } from './key';
import { newTraceparent, TRACEPARENT_HEADER } from './trace';
import type { ErrorReply } from './types';

export interface ApiErrorInfo {
  code: string;
  message: string;
  status: number;
  requestId?: string;
}

export class ApiError extends Error {
  constructor(readonly info: ApiErrorInfo) {
    super(info.message);
  }
}

/** Fired whenever the API answers 401, so the app can ask for a key. */
export const UNAUTHORIZED_EVENT = 'berth:unauthorized';

/** Where a signed-in session's CSRF token goes; the server refuses a session's POST without it. */
export const CSRF_HEADER = 'x-csrf-token';
const CSRF_COOKIE = 'berth_csrf=';

/** The CSRF token the server set at sign-in (a cookie scripts of this site can read, others cannot). */
function csrfToken(): string | undefined {
  const entry = document.cookie
    .split(';')
    .map((cookie) => cookie.trim())
    .find((cookie) => cookie.startsWith(CSRF_COOKIE));
  return entry ? decodeURIComponent(entry.slice(CSRF_COOKIE.length)) : undefined;
}

/**
 * What every request sends: the API key, if one is kept; the session's CSRF token, if signed in; and a
 * fresh traceparent, so the server's trace of the request (docs/observability.md) starts from this action.
 */
export function authHeaders(key = getKey()): Record<string, string> {
  const csrf = csrfToken();
  return {
    ...(key ? { authorization: `Bearer ${key}` } : {}),
    ...(csrf ? { [CSRF_HEADER]: csrf } : {}),
    [TRACEPARENT_HEADER]: newTraceparent(),
  };
}

export async function errorFrom(response: Response): Promise<ApiError> {
  // Partial: the body may be a proxy's JSON rather than Berth's error envelope.
  let body: { error?: Partial<ErrorReply['error']> } = {};
  try {
    body = await response.json();
  } catch {
    // A proxy's HTML error page, or an empty body: the status says enough.
  }
  const info: ApiErrorInfo = {
    code: body.error?.code ?? (response.status >= 500 ? 'server_error' : 'http_error'),
    message: body.error?.message ?? `The server answered ${response.status} ${response.statusText}`,
    status: response.status,
    requestId: body.error?.request_id ?? response.headers.get('x-request-id') ?? undefined,
  };
  if (response.status === 401) window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
  return new ApiError(info);
}

export const networkError = (error: unknown): ApiError =>
  error instanceof ApiError
    ? error
    : new ApiError({
        code: 'network_error',
        message: error instanceof Error ? error.message : String(error),
        status: 0,
      });

/** fetch for the JSON API: adds the key, throws ApiError for non-2xx answers and network failures. */
export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = { ...authHeaders(), ...(init.body ? { 'content-type': 'application/json' } : {}) };
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers: { ...headers, ...(init.headers as object) } });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw networkError(error);
  }
  if (!response.ok) throw await errorFrom(response);
  return response;
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await request(path, { signal })).json() as Promise<T>;
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  return (await request(path, { method: 'POST', body: JSON.stringify(body) })).json() as Promise<T>;
}

import { type Server, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import type {
  ConnectionError,
  FastifyError,
  FastifyHttpOptions,
  FastifyReply,
  FastifyRequest,
} from 'fastify';
import { AppError } from '../errors.js';
import type { Logger } from '../telemetry/index.js';
import { errorBody, handleError } from './error-handler.js';
import { newRequestId, REQUEST_ID_HEADER } from './request-id.js';
import type { HttpApp } from './server.js';

/**
 * The longest request target (path and query) Berth reads, in bytes. Node's parser refuses a
 * request line plus headers over 16 KiB on its own (see `clientErrorHandler`); below that, a target
 * over this limit is refused here, so a too-long URL reliably gets 414 rather than 431.
 */
export const MAX_URL_BYTES = 8 * 1024;

/**
 * Errors Node's HTTP parser raises before Fastify sees a request. Node answers them with a bare
 * status line (and Fastify with a JSON body of its own) unless the server's `clientError` handler does.
 */
const parserErrors: Record<string, { code: AppError['code']; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { code: 'request_timeout', message: 'The request was not received in time' },
  HPE_HEADER_OVERFLOW: { code: 'headers_too_large', message: 'The request line and headers exceed 16 KiB' },
  HPE_INVALID_CONTENT_LENGTH: { code: 'bad_request', message: 'Content-Length is not a valid length' },
  HPE_UNEXPECTED_CONTENT_LENGTH: { code: 'bad_request', message: 'Content-Length is given more than once' },
  HPE_INVALID_TRANSFER_ENCODING: {
    code: 'bad_request',
    message: 'Transfer-Encoding is not valid, or comes with a Content-Length',
  },
  HPE_INVALID_CHUNK_SIZE: { code: 'bad_request', message: 'The chunked body is malformed' },
  HPE_INVALID_METHOD: { code: 'bad_request', message: 'The request method is not valid' },
  HPE_INVALID_URL: { code: 'bad_request', message: 'The request target is not a valid URL' },
  HPE_INVALID_VERSION: { code: 'bad_request', message: 'The HTTP version is not valid' },
  HPE_INVALID_HEADER_TOKEN: {
    code: 'bad_request',
    message: 'A header name or value contains a character HTTP does not allow',
  },
};

/**
 * True when the parser overflowed while still reading the request line: what it had parsed of this
 * packet starts with a method and has no line break yet. A URL long enough to span packets cannot
 * be told from a long header and is answered 431.
 */
function requestLineOverflowed(error: ConnectionError): boolean {
  const raw: unknown = error.rawPacket;
  if (!Buffer.isBuffer(raw)) return false;
  const parsed = raw.subarray(0, Math.min(error.bytesParsed, raw.length)).toString('latin1');
  return /^[A-Z]+ [^\r\n]*$/.test(parsed);
}

function connectionAppError(error: ConnectionError): AppError {
  if (error.code === 'HPE_HEADER_OVERFLOW' && requestLineOverflowed(error)) {
    return new AppError('uri_too_long', 'The URL exceeds the 16 KiB the server reads');
  }
  const known = parserErrors[error.code];
  if (known) return new AppError(known.code, known.message);
  const reason = (error as { reason?: unknown }).reason;
  return new AppError(
    'bad_request',
    typeof reason === 'string' ? `The request is not valid HTTP: ${reason}` : 'The request is not valid HTTP',
  );
}

/** Node's own handler checks this too: once a response has begun, another status line would corrupt it. */
function responseStarted(socket: Socket): boolean {
  const message = (socket as { _httpMessage?: { headersSent?: unknown } })._httpMessage;
  return message?.headersSent === true;
}

/** Answers a request Node could not parse with the error envelope and a new request id, then closes the connection. */
export function clientErrorHandler(logger: Logger) {
  return (error: ConnectionError, socket: Socket): void => {
    // A reset connection has nobody left to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const appError = connectionAppError(error);
    const requestId = newRequestId();
    logger.info(
      { request_id: requestId, code: appError.code, parser_error: error.code },
      `refused a request Node could not read: ${appError.message}`,
    );
    if (socket.writable && !responseStarted(socket)) {
      const body = JSON.stringify(errorBody(appError, requestId));
      socket.write(
        `HTTP/1.1 ${appError.httpStatus} ${STATUS_CODES[appError.httpStatus] ?? ''}\r\n` +
          'Content-Type: application/json; charset=utf-8\r\n' +
          `Content-Length: ${Buffer.byteLength(body)}\r\n` +
          `${REQUEST_ID_HEADER}: ${requestId}\r\n` +
          'Connection: close\r\n\r\n' +
          body,
      );
    }
    socket.destroy();
  };
}

/** Errors the router raises before a route is known (bad percent-encoding, a too-long path segment). */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  reply.header(REQUEST_ID_HEADER, request.id);
  return handleError(error, request, reply);
}

/** Options for `Fastify()` that keep every error Fastify and Node answer by themselves in the envelope. */
export function edgeServerOptions(options: { logger: Logger; requestTimeoutMs: number }) {
  return {
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler: clientErrorHandler(options.logger),
    // Fastify's own 503 while closing has its own body; `refuseAtTheEdge` answers it instead.
    return503OnClosing: false,
    http: {
      // Node's answer to a missing Host is a bare 400; `refuseAtTheEdge` gives the envelope instead.
      requireHostHeader: false,
      // Node looks for requests past their timeout only this often (30 s by default), so a short
      // timeout would otherwise be enforced up to 30 s late.
      connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(options.requestTimeoutMs / 4))),
    },
  } satisfies Partial<FastifyHttpOptions<Server>>;
}

/**
 * Node's request timeout stops once a request's headers are in, so a body shorter than its
 * Content-Length would hold the connection for ever. The body gets the same time, then 408.
 */
function bodyDeadline(app: HttpApp, timeoutMs: number): void {
  app.addHook('preParsing', async (request, reply, payload) => {
    // Usually the whole body came with the headers.
    if (request.raw.complete) return payload;
    const guarded = new PassThrough();
    const timer = setTimeout(() => {
      payload.unpipe(guarded);
      reply.header('connection', 'close');
      guarded.destroy(
        new AppError('request_timeout', `The request body did not arrive within ${timeoutMs} ms`),
      );
    }, timeoutMs);
    timer.unref();
    const stop = () => clearTimeout(timer);
    payload.once('end', stop);
    payload.once('error', stop);
    reply.raw.once('close', stop);
    return payload.pipe(guarded);
  });
}

/**
 * The first check of every request: refuse it while the server closes, without a Host header
 * (HTTP/1.1 requires one), or with a URL over MAX_URL_BYTES; and give its body `requestTimeoutMs`
 * to arrive. Register it before any other hook that does work.
 */
export function refuseAtTheEdge(app: HttpApp, requestTimeoutMs: number): void {
  bodyDeadline(app, requestTimeoutMs);
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (request, reply) => {
    const raw = request.raw;
    if (closing) {
      reply.header('connection', 'close');
      throw new AppError('shutting_down', 'The server is shutting down; retry on another instance');
    }
    if (raw.httpVersion === '1.1' && raw.headers.host === undefined) {
      throw new AppError('bad_request', 'The Host header is missing; HTTP/1.1 requires it');
    }
    if (Buffer.byteLength(raw.url ?? '') > MAX_URL_BYTES) {
      throw new AppError('uri_too_long', `The URL is longer than ${MAX_URL_BYTES} bytes`);
    }
  });
}

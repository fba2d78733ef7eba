import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, toAppError } from './error-handler.js';
import { REQUEST_ID_HEADER } from './request-id.js';

export interface SseStream {
  /** Writes one event; `data` is JSON-encoded. Returns false once the stream has ended or the client has gone. */
  send(event: string | undefined, data: unknown): boolean;
  /** Writes a data line as is (OpenAI's terminating `[DONE]`). */
  sendRaw(data: string): boolean;
  end(): void;
  /** Aborts when the client disconnects before end(). */
  readonly signal: AbortSignal;
}

export interface SseOptions {
  /** Writes a `: keep-alive` comment this often, so proxies do not close an idle stream. Default: none. */
  heartbeatMs?: number;
  /** Runs once, when the stream ends or the client goes away: where a stream drops its subscriptions. */
  onClose?: () => void;
}

export interface StreamSseOptions extends Omit<SseOptions, 'onClose'> {
  /** Runs when the stream opens, before the event that opened it (chat's `start` event). */
  onOpen?: (stream: SseStream) => void;
  /** Name of the event a failure after the stream opened is sent as. Default: none (a `data:` line, as OpenAI does). */
  errorEvent?: string;
}

export const wantsEventStream = (request: FastifyRequest): boolean =>
  (request.headers.accept ?? '').includes('text/event-stream');

/**
 * An SSE stream on the reply. `lazily` it takes the reply over only at its first write, so that
 * whatever fails before then can still be an ordinary JSON error with its status.
 */
function openStream(
  request: FastifyRequest,
  reply: FastifyReply,
  options: SseOptions & { lazily?: boolean; onOpen?: (stream: SseStream) => void },
) {
  const res = reply.raw;
  const controller = new AbortController();
  let opened = false;
  let ended = false;
  let heartbeat: NodeJS.Timeout | undefined;
  const close = () => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    options.onClose?.();
  };
  // Watched before the headers, so that a client gone while a lazy stream waits for its first event
  // aborts that work too; the reason is the default AbortError, which the AI SDK reads as the caller's.
  res.once('close', () => {
    if (res.writableEnded) return;
    controller.abort();
    close();
  });
  const write = (text: string): boolean => {
    if (ended || res.destroyed) return false;
    open();
    return res.write(text);
  };
  const stream: SseStream = {
    signal: controller.signal,
    send: (event, data) => write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`),
    sendRaw: (data) => write(`data: ${data}\n\n`),
    end() {
      if (ended) return;
      if (!res.destroyed) open();
      close();
      res.end();
    },
  };
  function open(): void {
    if (opened) return;
    opened = true;
    reply.hijack();
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Stops nginx-style proxies from buffering the stream.
      'x-accel-buffering': 'no',
      [REQUEST_ID_HEADER]: request.id,
    });
    res.flushHeaders();
    if (options.heartbeatMs) {
      heartbeat = setInterval(() => write(': keep-alive\n\n'), options.heartbeatMs);
      heartbeat.unref();
    }
    options.onOpen?.(stream);
  }
  if (!options.lazily) open();
  return { stream, opened: () => opened };
}

/**
 * Takes over the reply now and streams Server-Sent Events until the caller ends it, for streams
 * that follow something else (a task's events). `onClose` runs when it ends or the client goes.
 */
export function startSse(request: FastifyRequest, reply: FastifyReply, options: SseOptions = {}): SseStream {
  return openStream(request, reply, options).stream;
}

/**
 * Streams what `run` sends, for streams that are one piece of work (a chat turn, a completion):
 * the stream opens at the first event (a failure before it is the usual JSON error reply, with its
 * status) and ends when `run` resolves; a failure after it opened is logged and sent as one error
 * event before the end. The stream's `signal` aborts when the client goes away, from the start.
 */
export async function streamSse(
  request: FastifyRequest,
  reply: FastifyReply,
  options: StreamSseOptions,
  run: (stream: SseStream) => Promise<void>,
): Promise<FastifyReply> {
  const { stream, opened } = openStream(request, reply, { ...options, lazily: true });
  try {
    await run(stream);
  } catch (error) {
    if (!opened()) throw error;
    const appError = toAppError(error as Error);
    request.log.warn({ code: appError.code }, 'stream failed');
    stream.send(options.errorEvent, errorBody(appError, request.id));
  }
  stream.end();
  return reply;
}

/**
 * OpenAI's streaming shape, for /v1 routes: `run` sends chunks, and the stream ends with
 * `data: [DONE]`, or after one error event when `run` fails past the first chunk (as OpenAI does).
 */
export function streamChunks(
  request: FastifyRequest,
  reply: FastifyReply,
  run: (send: (chunk: unknown) => void, signal: AbortSignal) => Promise<void>,
): Promise<FastifyReply> {
  return streamSse(request, reply, {}, async (stream) => {
    await run((chunk) => stream.send(undefined, chunk), stream.signal);
    stream.sendRaw('[DONE]');
  });
}

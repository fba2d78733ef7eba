import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, toAppError } from './error-handler.js';
import { REQUEST_ID_HEADER } from './request-id.js';

export interface SseStream {
  /** Writes one event; `data` is JSON-encoded. Returns false once the client has gone. */
  send(event: string | undefined, data: unknown): boolean;
  /** Writes an SSE comment line (ignored by clients; keeps idle connections open). */
  sendComment(text: string): boolean;
  /** Writes a data line as is (OpenAI's terminating `[DONE]`). */
  sendRaw(data: string): boolean;
  end(): void;
  /** Aborts when the client disconnects before end(). */
  readonly signal: AbortSignal;
}

export const wantsEventStream = (request: FastifyRequest): boolean =>
  (request.headers.accept ?? '').includes('text/event-stream');

/** Takes over the reply and streams Server-Sent Events; the caller must end() it. */
export function startSse(request: FastifyRequest, reply: FastifyReply): SseStream {
  const controller = new AbortController();
  let ended = false;
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    // Stops nginx-style proxies from buffering the stream.
    'x-accel-buffering': 'no',
    [REQUEST_ID_HEADER]: request.id,
  });
  res.flushHeaders();
  res.on('close', () => {
    if (!ended) controller.abort(new Error('client disconnected'));
  });
  return {
    signal: controller.signal,
    send(event, data) {
      if (ended || res.destroyed) return false;
      const head = event ? `event: ${event}\n` : '';
      return res.write(`${head}data: ${JSON.stringify(data)}\n\n`);
    },
    sendComment(text) {
      if (ended || res.destroyed) return false;
      return res.write(`: ${text}\n\n`);
    },
    sendRaw(data) {
      if (ended || res.destroyed) return false;
      return res.write(`data: ${data}\n\n`);
    },
    end() {
      if (ended) return;
      ended = true;
      res.end();
    },
  };
}

/**
 * OpenAI's streaming shape, for /v1 routes: the stream starts with the first chunk `run` sends (a
 * failure before it is the usual JSON error reply), ends with `data: [DONE]`, and a failure after
 * the first chunk is one error event before the end, as OpenAI does. `signal` aborts when the
 * client goes away.
 */
export async function streamChunks(
  request: FastifyRequest,
  reply: FastifyReply,
  run: (send: (chunk: unknown) => void, signal: AbortSignal) => Promise<void>,
): Promise<FastifyReply> {
  const abort = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) abort.abort();
  });
  let sse: SseStream | undefined;
  const open = () => {
    sse ??= startSse(request, reply);
    return sse;
  };
  try {
    await run((chunk) => open().send(undefined, chunk), abort.signal);
    const stream = open();
    stream.sendRaw('[DONE]');
    stream.end();
  } catch (error) {
    if (!sse) throw error;
    sse.send(undefined, errorBody(toAppError(error as Error), request.id));
    sse.end();
  }
  return reply;
}

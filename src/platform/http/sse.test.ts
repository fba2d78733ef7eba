import { request as httpRequest } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { handleError } from './error-handler.js';
import { startSse, streamChunks, streamSse } from './sse.js';

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A loopback server with one GET /stream route, answered by `handler`, and Berth's error handler. */
async function serve(handler: Handler): Promise<string> {
  app = Fastify();
  app.setErrorHandler(handleError);
  app.get('/stream', handler);
  return app.listen({ host: '127.0.0.1', port: 0 });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, done: () => boolean): Promise<void> {
  for (const started = Date.now(); !done(); await sleep(5)) {
    if (Date.now() - started > 5_000) throw new Error(`timed out waiting for ${what}`);
  }
}

/** Opens the stream, waits for the first bytes (or just connects, when `firstBytes` is false), then hangs up. */
function hangUp(url: string, firstBytes: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/stream`, (res) => {
      res.once('data', () => {
        req.destroy();
        resolve();
      });
    });
    req.on('error', (error) => (req.destroyed ? resolve() : reject(error)));
    req.end();
    if (!firstBytes) setTimeout(() => req.destroy(), 50);
  });
}

describe('startSse', () => {
  it('writes a keep-alive comment every heartbeatMs between events, and runs onClose once at the end', async () => {
    let closes = 0;
    const url = await serve(async (request, reply) => {
      const sse = startSse(request, reply, { heartbeatMs: 20, onClose: () => closes++ });
      sse.send('first', { n: 1 });
      setTimeout(() => {
        sse.send('last', { n: 2 });
        sse.end();
        sse.end();
      }, 150);
      return reply;
    });
    const response = await fetch(`${url}/stream`);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const body = await response.text();
    const beats = body.split(': keep-alive\n\n').length - 1;
    expect(beats).toBeGreaterThanOrEqual(2);
    expect(body.replaceAll(': keep-alive\n\n', '')).toBe(
      'event: first\ndata: {"n":1}\n\nevent: last\ndata: {"n":2}\n\n',
    );
    expect(closes).toBe(1);
  });

  it('writes no comment without heartbeatMs', async () => {
    const url = await serve(async (request, reply) => {
      const sse = startSse(request, reply);
      setTimeout(() => {
        sse.sendRaw('[DONE]');
        sse.end();
      }, 60);
      return reply;
    });
    expect(await (await fetch(`${url}/stream`)).text()).toBe('data: [DONE]\n\n');
  });

  it('aborts its signal, stops the heartbeat and runs onClose when the client goes away', async () => {
    let closes = 0;
    let signal: AbortSignal | undefined;
    let writesAfterClose = 0;
    const url = await serve(async (request, reply) => {
      const sse = startSse(request, reply, { heartbeatMs: 10, onClose: () => closes++ });
      signal = sse.signal;
      sse.send('hello', {});
      const timer = setInterval(() => {
        if (closes > 0 && sse.send('late', {})) writesAfterClose++;
      }, 5);
      sse.signal.addEventListener('abort', () => setTimeout(() => clearInterval(timer), 50));
      return reply;
    });
    await hangUp(url, true);
    await until('onClose', () => closes > 0);
    expect(signal?.aborted).toBe(true);
    expect((signal?.reason as Error | undefined)?.name).toBe('AbortError');
    await sleep(60);
    expect(closes).toBe(1);
    expect(writesAfterClose).toBe(0);
  });
});

describe('streamSse', () => {
  it('answers a failure before the first event as the usual JSON error, with its status', async () => {
    const url = await serve((request, reply) =>
      streamSse(request, reply, { errorEvent: 'error' }, async () => {
        throw new AppError('not_found', 'No such thing');
      }),
    );
    const response = await fetch(`${url}/stream`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('opens with onOpen at the first event, and sends a later failure as one error event before the end', async () => {
    const url = await serve((request, reply) =>
      streamSse(
        request,
        reply,
        { errorEvent: 'error', onOpen: (sse) => sse.send('start', { id: request.id }) },
        async (sse) => {
          sse.send('token', { delta: 'a' });
          sse.send('token', { delta: 'b' });
          throw new AppError('llm_error', 'The model failed');
        },
      ),
    );
    const response = await fetch(`${url}/stream`);
    expect(response.status).toBe(200);
    const id = response.headers.get('x-request-id');
    expect(await response.text()).toBe(
      `event: start\ndata: {"id":"${id}"}\n\n` +
        'event: token\ndata: {"delta":"a"}\n\n' +
        'event: token\ndata: {"delta":"b"}\n\n' +
        `event: error\ndata: {"error":{"code":"llm_error","message":"The model failed","request_id":"${id}"}}\n\n`,
    );
  });

  it("aborts its run's signal when the client goes away before the first event", async () => {
    let reason: unknown;
    const url = await serve((request, reply) =>
      streamSse(request, reply, {}, async (sse) => {
        reason = await new Promise((resolve) =>
          sse.signal.addEventListener('abort', () => resolve(sse.signal.reason), { once: true }),
        );
      }),
    );
    await hangUp(url, false);
    await until('the abort', () => reason !== undefined);
    expect((reason as Error).name).toBe('AbortError');
  });
});

describe('streamChunks', () => {
  it('sends chunks as data lines and ends with [DONE]', async () => {
    const url = await serve((request, reply) =>
      streamChunks(request, reply, async (send) => {
        send({ n: 1 });
        send({ n: 2 });
      }),
    );
    expect(await (await fetch(`${url}/stream`)).text()).toBe(
      'data: {"n":1}\n\ndata: {"n":2}\n\ndata: [DONE]\n\n',
    );
  });

  it('ends with an unnamed error event, and no [DONE], when it fails after the first chunk', async () => {
    const url = await serve((request, reply) =>
      streamChunks(request, reply, async (send) => {
        send({ n: 1 });
        throw new Error('boom');
      }),
    );
    const body = await (await fetch(`${url}/stream`)).text();
    expect(body).toMatch(/^data: \{"n":1\}\n\ndata: \{"error":\{"code":"internal_error",.*\}\}\n\n$/);
  });
});

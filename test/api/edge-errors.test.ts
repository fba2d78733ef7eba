import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BerthInstance, startBerth, tempDir } from '../support/berth-instance.js';
import {
  openRaw,
  parseRawResponse,
  type RawResponse,
  readUntilClosed,
  sendRaw,
} from '../support/raw-http.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const JSON_TYPE = 'Content-Type: application/json\r\n';

/** The one error envelope, with the request id in the body and in `x-request-id`. */
function expectEnvelope(response: RawResponse, status: number, code: string) {
  expect(response.status, response.body).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(response.json).toEqual({
    error: { code, message: expect.any(String), request_id: expect.stringMatching(UUID) },
  });
  const requestId = (response.json as { error: { request_id: string } }).error.request_id;
  expect(response.headers['x-request-id']).toBe(requestId);
}

describe('errors Fastify and Node raise themselves', () => {
  let berth: BerthInstance;
  beforeAll(async () => {
    // A short request timeout, so a request whose body never comes is cut within the test.
    berth = await startBerth({ env: { BERTH_REQUEST_TIMEOUT_MS: '1000' } });
  });
  afterAll(() => berth?.close());

  const send = (request: string) => sendRaw(berth.url, request);

  it('answers a URL over 8 KiB with 414 uri_too_long', async () => {
    const response = await send(
      `GET /api/tasks?q=${'a'.repeat(10_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    expectEnvelope(response, 414, 'uri_too_long');
  });

  it('answers a URL longer than the parser reads (16 KiB) with 414 uri_too_long', async () => {
    const response = await send(`GET /api/tasks?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expectEnvelope(response, 414, 'uri_too_long');
  });

  it('answers a path segment over the router limit with 414 uri_too_long', async () => {
    const response = await send(
      `GET /api/tasks/${'a'.repeat(200)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    expectEnvelope(response, 414, 'uri_too_long');
  });

  it('answers bad percent-encoding in the path (FST_ERR_BAD_URL) with 400 bad_request', async () => {
    for (const path of ['/api/tasks/%zz', '/api/tasks/%E0%A4%A', '/api/tasks/%ED%A0%80']) {
      const response = await send(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expectEnvelope(response, 400, 'bad_request');
    }
  });

  it('answers headers over 16 KiB with 431 headers_too_large', async () => {
    const response = await send(`GET /api/tasks HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`);
    expectEnvelope(response, 431, 'headers_too_large');
  });

  it('answers a bad, a repeated or a conflicting Content-Length with 400 bad_request', async () => {
    const framings = [
      'Content-Length: abc\r\n',
      'Content-Length: -1\r\n',
      'Content-Length: 2\r\nContent-Length: 3\r\n',
      'Content-Length: 2\r\nTransfer-Encoding: chunked\r\n',
    ];
    for (const framing of framings) {
      const response = await send(`POST /api/chat HTTP/1.1\r\nHost: x\r\n${JSON_TYPE}${framing}\r\n{}`);
      expectEnvelope(response, 400, 'bad_request');
      expect(response.json).toMatchObject({
        error: { message: expect.stringMatching(/Content-Length|Transfer-Encoding/) },
      });
    }
  });

  it('answers a Content-Length larger than the body sent, once the request timeout passes, with 408', async () => {
    const socket = await openRaw(berth.url);
    const closed = readUntilClosed(socket);
    socket.write(`POST /api/chat HTTP/1.1\r\nHost: x\r\n${JSON_TYPE}Content-Length: 100\r\n\r\n{"message":`);
    expectEnvelope(parseRawResponse(await closed), 408, 'request_timeout');
  });

  it('answers headers that never end, once the request timeout passes, with 408 (the timeout Node enforces)', async () => {
    const socket = await openRaw(berth.url);
    const closed = readUntilClosed(socket);
    socket.write(`POST /api/chat HTTP/1.1\r\nHost: x\r\n${JSON_TYPE}`);
    expectEnvelope(parseRawResponse(await closed), 408, 'request_timeout');
  });

  it('answers malformed HTTP (method, header, version, chunk, target) with 400 bad_request', async () => {
    const requests = [
      'G@T /api/tasks HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /api/tasks HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n',
      'GET /api/tasks HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\x00b\r\n\r\n',
      'GET /api/tasks HTTP/9.9\r\nHost: x\r\n\r\n',
      `POST /api/chat HTTP/1.1\r\nHost: x\r\n${JSON_TYPE}Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
      'GET api/tasks HTTP/1.1\r\nHost: x\r\n\r\n',
    ];
    for (const request of requests) expectEnvelope(await send(request), 400, 'bad_request');
  });

  it('answers an HTTP/1.1 request without Host with 400 bad_request', async () => {
    expectEnvelope(await send('GET /api/tasks HTTP/1.1\r\nConnection: close\r\n\r\n'), 400, 'bad_request');
  });

  it('answers a JSON body that tries to poison prototypes with 400 invalid_json', async () => {
    for (const body of [
      '{"__proto__":{"x":1},"message":"hi"}',
      '{"constructor":{"prototype":{"x":1}},"message":"hi"}',
    ]) {
      const response = await send(
        `POST /api/chat HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${JSON_TYPE}Content-Length: ${body.length}\r\n\r\n${body}`,
      );
      expectEnvelope(response, 400, 'invalid_json');
    }
  });

  it('keeps a caller request id that is plain, and replaces one that is not', async () => {
    const plain = await send(
      'GET /api/tasks/%zz HTTP/1.1\r\nHost: x\r\nX-Request-Id: caller-1\r\nConnection: close\r\n\r\n',
    );
    expect(plain.headers['x-request-id']).toBe('caller-1');
    expect(plain.json).toMatchObject({ error: { code: 'bad_request', request_id: 'caller-1' } });
    // Node lets bytes 0x80–0xFF through in header values; Berth's own pattern refuses them.
    const c1 = await send(
      'GET /api/tasks/%zz HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\x85b\r\nConnection: close\r\n\r\n',
    );
    expectEnvelope(c1, 400, 'bad_request');
  });

  it('refuses an Idempotency-Key with a control character', async () => {
    const body = '{"description":"hello"}';
    const response = await send(
      `POST /api/tasks HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${JSON_TYPE}Idempotency-Key: a\x85b\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({
      error: { code: 'validation_failed', details: [{ field: 'headers.idempotency-key' }] },
    });
  });

  it('logs no warning or error for the requests it refused', () => {
    const loud = berth.logs.filter((line) => Number(line.level) >= 40);
    expect(loud).toEqual([]);
  });
});

describe('a request that arrives while the server closes', () => {
  it('gets 503 shutting_down in the envelope', async () => {
    const dataDir = tempDir();
    const berth = await startBerth({ dataDir });
    try {
      const socket = await openRaw(berth.url);
      const closed = readUntilClosed(socket);
      // Headers now, body later: the connection is busy, so closing the server does not cut it.
      const body = '{"message":"hi"}';
      socket.write(
        `POST /api/chat HTTP/1.1\r\nHost: x\r\n${JSON_TYPE}Content-Length: ${body.length}\r\n\r\n`,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      const closing = berth.app.close(5_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      // The body of the first request, and a second request pipelined behind it.
      socket.write(`${body}GET /api/tasks HTTP/1.1\r\nHost: x\r\n\r\n`);
      const text = await closed;
      await closing;
      const second = text.slice(text.indexOf('HTTP/1.1', 1));
      expect(text.indexOf('HTTP/1.1', 1)).toBeGreaterThan(0);
      expectEnvelope(parseRawResponse(second), 503, 'shutting_down');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

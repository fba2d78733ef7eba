import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BerthInstance, type StartOptions, startBerth, tempDir } from '../support/berth-instance.js';
import { type FakeOpenAI, fakeReply, startFakeOpenAI } from '../support/fake-openai-server.js';
import { type ErrorBody, getJson, postJson, readSse } from '../support/http.js';

interface ChatBody {
  conversation_id: string;
  message_id: string;
  response: string;
  model: string;
  agent_version: string;
  usage: { input_tokens: number; output_tokens: number };
  request_id: string;
}
interface History {
  messages: Array<{ role: string; content: string; conversation_id: string; created_at: string }>;
}

/** The HTTP API contract, run once per store (PGlite and Postgres). */
export function defineChatApiSuite(
  storeName: string,
  storeOptions: () => Promise<StartOptions & { cleanup?: () => Promise<void> }>,
) {
  describe(`chat API on ${storeName}`, () => {
    let berth: BerthInstance;
    let fake: FakeOpenAI;
    let cleanup: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      fake = await startFakeOpenAI();
      const dir = tempDir('berth-config-');
      const configPath = join(dir, 'berth.yaml');
      writeFileSync(
        configPath,
        [
          'llm:',
          '  timeoutMs: 1000',
          '  maxRetries: 0',
          '  breaker: { consecutiveFailures: 3, halfOpenAfterMs: 60000 }',
          '  openaiCompatible:',
          `    baseUrl: ${fake.url}`,
          'agents:',
          '  - name: remote',
          '    provider: openai-compatible',
          '    model: fake-model',
          '    systemPrompt: You are the remote test agent.',
          '    historyWindow: 2',
          '  - name: tiny-budget',
          '    tokenBudget: 1',
        ].join('\n'),
      );
      const { cleanup: storeCleanup, ...options } = await storeOptions();
      cleanup = storeCleanup;
      berth = await startBerth({
        ...options,
        env: {
          BERTH_CONFIG: configPath,
          BERTH_MAX_MESSAGE_CHARS: '200',
          BERTH_BODY_LIMIT_BYTES: '2048',
          // Requests are logged at debug (one access line each), not at info.
          LOG_LEVEL: 'debug',
        },
      });
    });
    afterAll(async () => {
      await berth?.close();
      await fake?.close();
      await cleanup?.();
    });

    const chat = (body: unknown, headers?: Record<string, string>) =>
      postJson<ChatBody & ErrorBody>(`${berth.url}/api/chat`, body, headers);
    const history = (userId: string) => getJson<History>(`${berth.url}/api/chat/history/${userId}`);

    it('answers health, readiness and startup probes', async () => {
      expect((await getJson(`${berth.url}/healthz`)).body).toMatchObject({
        status: 'ok',
        version: expect.any(String),
      });
      expect((await getJson(`${berth.url}/health`)).status).toBe(200);
      const ready = await getJson(`${berth.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({
        status: 'ready',
        checks: [
          { name: 'store', ok: true },
          { name: 'migrations', ok: true },
          { name: 'progress', ok: true },
          { name: 'llm:openai-compatible', ok: true, detail: 'circuit closed; agents: remote' },
        ],
      });
      expect((await getJson(`${berth.url}/ready`)).status).toBe(200);
      expect((await getJson(`${berth.url}/startupz`)).body).toEqual({ status: 'started' });
    });

    it('chats with the offline model, says what it is, and stores both messages', async () => {
      const first = await chat({ message: 'Hello there', user_id: 'alice' });
      expect(first.status).toBe(200);
      expect(first.body.model).toBe('berth-offline');
      expect(first.body.response).toMatch(/berth-offline/);
      expect(first.body.response).toMatch(/BERTH_LLM_PROVIDER/);
      expect(first.body.usage.input_tokens).toBeGreaterThan(0);
      expect(first.body.usage.output_tokens).toBeGreaterThan(0);
      expect(first.body.agent_version).toMatch(/^[0-9a-f]{12}$/);
      expect(first.headers.get('x-request-id')).toBe(first.body.request_id);

      const second = await chat({
        message: 'And again',
        user_id: 'alice',
        conversation_id: first.body.conversation_id,
      });
      expect(second.status).toBe(200);
      expect(second.body.conversation_id).toBe(first.body.conversation_id);
      expect(second.body.response).not.toMatch(/BERTH_LLM_PROVIDER/);

      const stored = await history('alice');
      expect(stored.body.messages.map((m) => [m.role, m.content.slice(0, 11)])).toEqual([
        ['user', 'Hello there'],
        ['assistant', first.body.response.slice(0, 11)],
        ['user', 'And again'],
        ['assistant', second.body.response.slice(0, 11)],
      ]);
      const conversation = await getJson<History>(
        `${berth.url}/api/conversations/${first.body.conversation_id}`,
      );
      expect(conversation.body.messages).toHaveLength(4);
    });

    it('takes the request id from the caller and logs it on every line of that request', async () => {
      const reply = await chat({ message: 'trace me', user_id: 'tracer' }, { 'x-request-id': 'req-abc-123' });
      expect(reply.headers.get('x-request-id')).toBe('req-abc-123');
      expect(reply.body.request_id).toBe('req-abc-123');
      // A turn that went well writes one access line (at debug); it carries the caller's id.
      const lines = berth.logs.filter((line) => line.request_id === 'req-abc-123');
      expect(lines.length).toBeGreaterThanOrEqual(1);
      const forged = await chat(
        { message: 'x', user_id: 'tracer' },
        { 'x-request-id': 'bad id\twith spaces' },
      );
      expect(forged.body.request_id).not.toContain(' ');
    });

    it('sends the system prompt and only the last N messages to the model', async () => {
      fake.reset();
      fake.enqueue(fakeReply.ok('one'), fakeReply.ok('two'), fakeReply.ok('three'));
      const a = await chat({ message: 'first', agent: 'remote', user_id: 'bob' });
      expect(a.status).toBe(200);
      expect(a.body.response).toBe('one');
      expect(a.body.model).toBe('fake-model');
      await chat({ message: 'second', user_id: 'bob', conversation_id: a.body.conversation_id });
      await chat({ message: 'third', user_id: 'bob', conversation_id: a.body.conversation_id });
      const sent = fake.chatRequests().at(-1)?.body?.messages ?? [];
      expect(sent.map((m) => [m.role, m.content])).toEqual([
        ['system', 'You are the remote test agent.'],
        ['user', 'second'],
        ['assistant', 'two'],
        ['user', 'third'],
      ]);
    });

    it('streams the answer as SSE and stores it', async () => {
      const response = await fetch(`${berth.url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ message: 'Please stream this', user_id: 'streamer' }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const events = await readSse(response);
      expect(events[0]?.event).toBe('start');
      const tokens = events.filter((e) => e.event === 'token');
      expect(tokens.length).toBeGreaterThan(2);
      const done = events.at(-1);
      expect(done?.event).toBe('done');
      const final = done?.data as ChatBody;
      expect(tokens.map((t) => (t.data as { delta: string }).delta).join('')).toBe(final.response);
      expect(final.conversation_id).toBe((events[0]?.data as ChatBody | undefined)?.conversation_id);
      expect((await history('streamer')).body.messages).toHaveLength(2);
    });

    describe('bad input gets a clear 4xx and writes nothing', () => {
      const cases: Array<[string, () => Promise<{ status: number; body: ErrorBody }>, number, string]> = [
        ['malformed JSON', () => chat('{"message": "hi",', {}), 400, 'invalid_json'],
        ['a number for message', () => chat({ message: 42, user_id: 'bad' }), 400, 'validation_failed'],
        ['an empty message', () => chat({ message: '   ', user_id: 'bad' }), 400, 'validation_failed'],
        [
          'an over-long message',
          () => chat({ message: 'x'.repeat(201), user_id: 'bad' }),
          400,
          'validation_failed',
        ],
        [
          'an unknown field',
          () => chat({ message: 'hi', user_id: 'bad', mesage: 'typo' }),
          400,
          'validation_failed',
        ],
        [
          'an unknown agent',
          () => chat({ message: 'hi', user_id: 'bad', agent: 'nobody' }),
          404,
          'agent_not_found',
        ],
        [
          'an unknown conversation',
          () =>
            chat({ message: 'hi', user_id: 'bad', conversation_id: '00000000-0000-4000-8000-000000000000' }),
          404,
          'conversation_not_found',
        ],
        [
          'a body over the limit',
          () => chat({ message: 'x'.repeat(4000), user_id: 'bad' }),
          413,
          'payload_too_large',
        ],
        [
          'a wrong content type',
          () => chat('message=hi', { 'content-type': 'text/plain' }),
          415,
          'unsupported_media_type',
        ],
      ];
      it.each(cases)('%s', async (_name, send, status, code) => {
        const reply = await send();
        expect(reply.status).toBe(status);
        expect(reply.body.error.code).toBe(code);
        expect(reply.body.error.message).toEqual(expect.any(String));
        expect(reply.body.error.request_id).toEqual(expect.any(String));
        expect((await history('bad')).body.messages).toEqual([]);
      });

      it('names the field at fault', async () => {
        const reply = await chat({ message: 42 });
        expect(reply.body.error.message).toMatch(/message/);
        expect(reply.body.error.details).toEqual([expect.objectContaining({ field: 'body.message' })]);
      });

      it('says a missing body is missing', async () => {
        const response = await fetch(`${berth.url}/api/chat`, { method: 'POST' });
        expect(response.status).toBe(400);
        const body = (await response.json()) as ErrorBody;
        expect(body.error.code).toBe('validation_failed');
        expect(body.error.message).toBe('Request body is missing; a JSON object is expected');
      });

      it('refuses a turn past the token budget', async () => {
        const first = await chat({ message: 'spend it', agent: 'tiny-budget', user_id: 'budget' });
        expect(first.status).toBe(200);
        const second = await chat({
          message: 'more',
          user_id: 'budget',
          conversation_id: first.body.conversation_id,
        });
        expect(second.status).toBe(422);
        expect(second.body.error.code).toBe('token_budget_exceeded');
        expect((await history('budget')).body.messages).toHaveLength(2);
      });

      it('answers 404 not_found for an unknown route', async () => {
        const reply = await getJson<ErrorBody>(`${berth.url}/api/nothing-here`);
        expect(reply.status).toBe(404);
        expect(reply.body.error.code).toBe('not_found');
      });
    });

    describe('when the provider fails', () => {
      it('answers 502 llm_error and stores nothing', async () => {
        fake.reset();
        fake.enqueue(fakeReply.status(500));
        const reply = await chat({ message: 'will fail', agent: 'remote', user_id: 'victim' });
        expect(reply.status).toBe(502);
        expect(reply.body.error.code).toBe('llm_error');
        expect((await history('victim')).body.messages).toEqual([]);
      });

      it('answers 504 llm_timeout for a hang', async () => {
        fake.reset();
        fake.enqueue(fakeReply.hang());
        const reply = await chat({ message: 'will hang', agent: 'remote', user_id: 'victim' });
        expect(reply.status).toBe(504);
        expect(reply.body.error.code).toBe('llm_timeout');
      });

      it('opens the breaker and says so, on JSON and on SSE requests', async () => {
        fake.reset();
        fake.enqueue(fakeReply.status(500), fakeReply.status(500), fakeReply.status(500));
        for (let i = 0; i < 3; i++) await chat({ message: 'fail', agent: 'remote', user_id: 'victim' });
        const seen = fake.chatRequests().length;
        const reply = await chat({ message: 'breaker?', agent: 'remote', user_id: 'victim' });
        expect(reply.status).toBe(503);
        expect(reply.body.error.code).toBe('llm_unavailable');
        expect(reply.body.error.message).toMatch(/paused|circuit|unavailable/i);
        const streamed = await fetch(`${berth.url}/api/chat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
          body: JSON.stringify({ message: 'breaker?', agent: 'remote' }),
        });
        expect(streamed.status).toBe(503);
        expect(fake.chatRequests().length).toBe(seen);
        const metrics = await (await fetch(`${berth.url}/metrics`)).text();
        expect(metrics).toMatch(/berth_llm_breaker_state\{provider="openai-compatible[^}]*\} 2/);
        expect((await history('victim')).body.messages).toEqual([]);
      });
    });

    it('exposes Prometheus metrics for HTTP, the process and the LLM', async () => {
      const text = await (await fetch(`${berth.url}/metrics`)).text();
      expect(text).toMatch(
        /berth_http_request_duration_seconds_count\{method="POST",route="\/api\/chat",status_code="200"\} [1-9]/,
      );
      expect(text).toMatch(/process_resident_memory_bytes \d+/);
      expect(text).toMatch(/berth_llm_calls_total\{[^}]*provider="offline"[^}]*\} [1-9]/);
      expect(text).toMatch(/berth_llm_tokens_total\{[^}]*kind="output"[^}]*\} [1-9]/);
    });

    it('publishes an OpenAPI document generated from the schemas', async () => {
      const doc = await getJson<{ openapi: string; paths: Record<string, unknown> }>(
        `${berth.url}/api/openapi.json`,
      );
      expect(doc.body.openapi).toMatch(/^3\./);
      expect(Object.keys(doc.body.paths)).toEqual(
        expect.arrayContaining([
          '/api/chat',
          '/api/chat/history/{user_id}',
          '/api/conversations/{id}',
          '/v1/chat/completions',
          '/v1/models',
        ]),
      );
    });
  });
}

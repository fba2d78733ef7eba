// The OpenAI-compatible gateway through the official openai client: model routes forward the
// client's tools and response_format to a fake OpenAI-compatible provider on loopback and bring its
// tool calls and JSON back, plain and streamed, under Berth's tenants, budgets, cost and audit.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, stepCountIs, tool } from 'ai';
import { and, eq } from 'drizzle-orm';
import OpenAI, { type APIError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { BerthEvent } from '../../src/app/events.js';
import { auditEvents } from '../../src/modules/audit/index.js';
import { type BerthInstance, startBerth, tempDir } from '../support/berth-instance.js';
import { type FakeOpenAI, fakeEmbedding, fakeReply, startFakeOpenAI } from '../support/fake-openai-server.js';
import { type SeededKey, seedMember } from '../support/tenants.js';

const weatherTool: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      additionalProperties: false,
    },
  },
};

const citySchema = {
  type: 'object',
  properties: { city: { type: 'string' }, celsius: { type: 'number' } },
  required: ['city', 'celsius'],
  additionalProperties: false,
};

const PROMPT = 'What is the weather in Paris? secret-prompt-marker';

function writeConfig(fakeUrl: string): string {
  const path = join(tempDir('berth-gateway-'), 'berth.yaml');
  writeFileSync(
    path,
    [
      'llm:',
      '  timeoutMs: 3000',
      '  maxRetries: 0',
      '  openaiCompatible:',
      `    baseUrl: ${fakeUrl}`,
      'prices:',
      '  openai-compatible:',
      '    fake-model: { input: 2, output: 10 }',
      'agents:',
      '  - name: relay',
      '    provider: openai-compatible',
      '    model: fake-model',
      '    passthrough: true',
      '    maxOutputTokens: 300',
      'gateway:',
      '  routes:',
      '    - model: gpt-4.1-mini',
      '      provider: openai-compatible',
      '      target: fake-model',
      '      maxOutputTokens: 500',
      '    - model: acme/private',
      '      provider: openai-compatible',
      '      target: fake-model',
      '      tenants: [acme]',
      '    - model: tight',
      '      provider: openai-compatible',
      '      target: fake-model',
      '    - model: embed-small',
      '      provider: openai-compatible',
      '      target: fake-embed',
      '      type: embedding',
      'budgets:',
      '  agents:',
      '    tight: { dailyTokens: 100 }',
    ].join('\n'),
  );
  return path;
}

describe('the OpenAI-compatible gateway, through the official openai client', () => {
  let berth: BerthInstance;
  let fake: FakeOpenAI;
  let alice: SeededKey;
  let bob: SeededKey;
  let client: OpenAI;
  const events: BerthEvent[] = [];

  const clientFor = (key: SeededKey) =>
    new OpenAI({ baseURL: `${berth.url}/v1`, apiKey: key.key, maxRetries: 0 });
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected the call to fail');
      },
      (error: unknown) => error as APIError,
    );

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    berth = await startBerth({ env: { BERTH_CONFIG: writeConfig(fake.url), BERTH_API_KEYS: 'sk-admin' } });
    alice = await seedMember(berth, 'acme', 'alice', 'member');
    bob = await seedMember(berth, 'beta', 'bob', 'member');
    client = clientFor(alice);
    berth.app.bus.subscribeAll((event) => {
      events.push(event);
    });
  });
  afterAll(async () => {
    await berth?.close();
    await fake?.close();
  });
  beforeEach(() => {
    fake.reset();
    events.length = 0;
  });

  it('returns the model’s tool calls, then takes the tool result and returns the final answer', async () => {
    fake.enqueue(
      fakeReply.toolCall('get_weather', { city: 'Paris' }, { inputTokens: 1_000, outputTokens: 200 }),
    );
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: PROMPT }];
    const first = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages,
      tools: [weatherTool],
      tool_choice: 'auto',
    });
    const choice = first.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    const call = choice?.message.tool_calls?.[0];
    expect(call?.type).toBe('function');
    expect(call?.type === 'function' && call.function.name).toBe('get_weather');
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: 'Paris' });
    expect(first.model).toBe('gpt-4.1-mini');
    // 1000 × 2 + 200 × 10 USD per million tokens.
    expect(first.usage).toMatchObject({ prompt_tokens: 1_000, completion_tokens: 200, total_tokens: 1_200 });
    expect((first.usage as unknown as { cost_usd: number }).cost_usd).toBe(0.004);

    const sent = fake.chatRequests()[0]?.body;
    expect(sent?.model).toBe('fake-model');
    expect(sent?.tools).toEqual([
      {
        type: 'function',
        function: { ...weatherTool.function, parameters: weatherTool.function.parameters },
      },
    ]);
    expect(sent?.tool_choice).toBe('auto');

    fake.enqueue(fakeReply.ok('It is 18 °C in Paris.'));
    const second = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [
        ...messages,
        choice?.message as OpenAI.ChatCompletionMessageParam,
        { role: 'tool', tool_call_id: call?.id ?? '', content: '{"celsius":18}' },
      ],
      tools: [weatherTool],
    });
    expect(second.choices[0]?.message.content).toBe('It is 18 °C in Paris.');
    expect(second.choices[0]?.finish_reason).toBe('stop');
    const history = fake.chatRequests()[1]?.body?.messages as Array<Record<string, unknown>>;
    expect(history[1]).toMatchObject({
      role: 'assistant',
      tool_calls: [{ id: call?.id, type: 'function', function: { name: 'get_weather' } }],
    });
    expect(history[2]).toEqual({ role: 'tool', tool_call_id: call?.id, content: '{"celsius":18}' });
  });

  it('streams tool calls as OpenAI does: delta.tool_calls pieces and finish_reason tool_calls', async () => {
    fake.enqueue(
      fakeReply.toolCalls([
        { name: 'get_weather', arguments: { city: 'Paris' } },
        { name: 'get_weather', arguments: { city: 'Oslo' } },
      ]),
    );
    const stream = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'Weather in Paris and Oslo?' }],
      tools: [weatherTool],
      stream: true,
      stream_options: { include_usage: true },
    });
    const calls: Array<{ id?: string; name?: string; arguments: string }> = [];
    let finish: string | null | undefined;
    let pieces = 0;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        pieces++;
        const entry = calls[delta.index] ?? { arguments: '' };
        calls[delta.index] = entry;
        entry.id ??= delta.id;
        entry.name ??= delta.function?.name;
        entry.arguments += delta.function?.arguments ?? '';
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(finish).toBe('tool_calls');
    expect(pieces).toBeGreaterThan(2);
    expect(calls.map((c) => [c.name, JSON.parse(c.arguments)])).toEqual([
      ['get_weather', { city: 'Paris' }],
      ['get_weather', { city: 'Oslo' }],
    ]);
    expect(calls.every((c) => c.id?.startsWith('call_fake_'))).toBe(true);
    expect(usage?.total_tokens).toBe(15);

    // The openai client's own stream helper assembles the same message, which goes back with the results.
    fake.enqueue(fakeReply.toolCall('get_weather', { city: 'Rome' }), fakeReply.ok('Sunny in Rome.'));
    const runner = client.chat.completions.stream({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'Rome?' }],
      tools: [weatherTool],
    });
    const assembled = await runner.finalMessage();
    const rome = assembled.tool_calls?.[0];
    expect(rome?.type === 'function' && JSON.parse(rome.function.arguments)).toEqual({ city: 'Rome' });
    const final = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      stream: true,
      messages: [
        { role: 'user', content: 'Rome?' },
        assembled as OpenAI.ChatCompletionMessageParam,
        { role: 'tool', tool_call_id: rome?.id ?? '', content: 'sunny' },
      ],
      tools: [weatherTool],
    });
    let text = '';
    for await (const chunk of final) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Sunny in Rome.');
  });

  it('returns structured output that matches the json_schema, plain and streamed', async () => {
    fake.enqueue(
      fakeReply.json({ city: 'Paris', celsius: 18 }),
      fakeReply.json({ city: 'Oslo', celsius: 3 }),
    );
    const format = {
      type: 'json_schema' as const,
      json_schema: { name: 'weather', schema: citySchema, strict: true },
    };
    const plain = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'Paris as JSON' }],
      response_format: format,
    });
    expect(JSON.parse(plain.choices[0]?.message.content ?? '')).toEqual({ city: 'Paris', celsius: 18 });
    expect(fake.chatRequests()[0]?.body?.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'weather', schema: citySchema, strict: true },
    });
    const stream = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'Oslo as JSON' }],
      response_format: format,
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(JSON.parse(text)).toEqual({ city: 'Oslo', celsius: 3 });
  });

  it('answers 502 model_output_invalid when the provider’s answer breaks the schema or is not JSON', async () => {
    const ask = (format: OpenAI.ChatCompletionCreateParams['response_format'], stream = false) =>
      failure(
        client.chat.completions.create({
          model: 'gpt-4.1-mini',
          messages: [{ role: 'user', content: 'JSON please' }],
          response_format: format,
          stream,
        }) as Promise<unknown>,
      );
    const schemaFormat = {
      type: 'json_schema' as const,
      json_schema: { name: 'weather', schema: citySchema },
    };
    fake.enqueue(fakeReply.json({ city: 'Paris', celsius: 'warm' }));
    const broken = await ask(schemaFormat);
    expect(broken.status).toBe(502);
    expect(broken.code).toBe('model_output_invalid');
    expect(broken.message).toContain('/celsius must be number');

    fake.enqueue(fakeReply.json({ city: 'Paris' }));
    const streamed = await ask(schemaFormat, true);
    expect(streamed.status).toBe(502);
    expect(streamed.code).toBe('model_output_invalid');

    fake.enqueue(fakeReply.ok('Sure! Here is some prose.'));
    const prose = await ask({ type: 'json_object' });
    expect(prose.status).toBe(502);
    expect(prose.code).toBe('model_output_invalid');
    expect(
      events.filter((e) => e.type === 'gateway.call').map((e) => 'error_code' in e && e.error_code),
    ).toEqual(['model_output_invalid', 'model_output_invalid', 'model_output_invalid']);
  });

  it('forwards stop, temperature, top_p, max_tokens, seed and user to the provider', async () => {
    await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'hi' },
      ],
      stop: ['END'],
      temperature: 0.2,
      top_p: 0.9,
      max_completion_tokens: 64,
      seed: 7,
      user: 'end-user-42',
    });
    expect(fake.chatRequests()[0]?.body).toMatchObject({
      model: 'fake-model',
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'hi' },
      ],
      stop: ['END'],
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 64,
      seed: 7,
      user: 'end-user-42',
    });
  });

  it('refuses what it cannot honour with 400 naming the field, before any provider call', async () => {
    const refused = async (extra: Record<string, unknown>, model = 'gpt-4.1-mini') =>
      failure(
        client.chat.completions.create({
          model,
          messages: [{ role: 'user', content: 'hi' }],
          ...extra,
        } as OpenAI.ChatCompletionCreateParamsNonStreaming),
      );
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ n: 2 }, 'n'],
      [{ logprobs: true }, 'logprobs'],
      [{ top_logprobs: 3 }, 'top_logprobs'],
      [{ audio: { voice: 'alloy', format: 'mp3' } }, 'audio'],
      [{ max_tokens: 501 }, 'max_tokens'],
      [{ tool_choice: 'required' }, 'tool_choice'],
    ];
    for (const [extra, field] of cases) {
      const error = await refused(extra);
      expect(error.status, field).toBe(400);
      expect(error.code, field).toBe('unsupported_parameter');
      expect(error.message.startsWith(`400 ${field}:`), error.message).toBe(true);
    }
    // Agent mode: the agent's own tools run server-side, so client tools and formats are refused.
    const tools = await refused({ tools: [weatherTool] }, 'default');
    expect(tools.code).toBe('unsupported_parameter');
    expect(tools.message).toMatch(/^400 tools: a Berth agent runs its own tools server-side/);
    const format = await refused({ response_format: { type: 'json_object' } }, 'default');
    expect(format.message).toMatch(/^400 response_format:/);
    expect(fake.chatRequests()).toHaveLength(0);
  });

  it('refuses a budget-exhausted route with 429 budget_exhausted before the provider is asked', async () => {
    // A request reserves its output cap (4 096 tokens): more than the route's 100 a day.
    const error = await failure(
      client.chat.completions.create({ model: 'tight', messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(error.status).toBe(429);
    expect(error.code).toBe('budget_exhausted');
    expect(error.headers?.get('retry-after')).toMatch(/^\d+$/);
    expect(fake.chatRequests()).toHaveLength(0);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['budget.exhausted', 'gateway.call']));
  });

  it('keeps a tenant’s route from other tenants: not listed, not callable', async () => {
    const listed = async (key: SeededKey) => (await clientFor(key).models.list()).data.map((m) => m.id);
    expect(await listed(alice)).toEqual(
      expect.arrayContaining(['default', 'relay', 'gpt-4.1-mini', 'acme/private', 'embed-small']),
    );
    expect(await listed(bob)).not.toContain('acme/private');
    expect(await listed(bob)).toContain('gpt-4.1-mini');
    const ok = await client.chat.completions.create({
      model: 'acme/private',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(ok.choices[0]?.message.content).toBe('Hello from the fake OpenAI server.');
    const error = await failure(
      clientFor(bob).chat.completions.create({
        model: 'acme/private',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(error.status).toBe(404);
    const missing = await failure(clientFor(bob).embeddings.create({ model: 'acme/private', input: 'hi' }));
    expect(missing.status).toBe(404);
    expect(fake.chatRequests()).toHaveLength(1);
  });

  it('forwards a passthrough agent’s requests with the client’s tools, stamped with its version', async () => {
    fake.enqueue(fakeReply.toolCall('get_weather', { city: 'Lima' }));
    const reply = await client.chat.completions.create({
      model: 'relay',
      messages: [{ role: 'user', content: 'Lima?' }],
      tools: [weatherTool],
    });
    expect(reply.choices[0]?.finish_reason).toBe('tool_calls');
    expect(reply.system_fingerprint).toMatch(/^[0-9a-f]{12}$/);
    expect(fake.chatRequests()[0]?.body?.max_tokens).toBe(300);
  });

  it('embeds through an embedding route, float and base64 (the openai client’s default)', async () => {
    const result = await client.embeddings.create({ model: 'embed-small', input: ['alpha', 'beta'] });
    expect(result.data).toHaveLength(2);
    const expected = fakeEmbedding('alpha');
    for (const [i, value] of (result.data[0]?.embedding ?? []).entries())
      expect(value).toBeCloseTo(expected[i] ?? 0, 5);
    // 'alpha' and 'beta' at 4 characters a token.
    expect(result.usage.prompt_tokens).toBe(3);
    const floats = await client.embeddings.create({
      model: 'embed-small',
      input: 'beta',
      encoding_format: 'float',
      dimensions: 4,
    });
    expect(floats.data[0]?.embedding).toEqual(fakeEmbedding('beta', 4));
    expect(fake.embeddingRequests().map((r) => r.body?.model)).toEqual(['fake-embed', 'fake-embed']);
    const chatRoute = await failure(client.embeddings.create({ model: 'gpt-4.1-mini', input: 'x' }));
    expect(chatRoute.status).toBe(404);
  });

  it('publishes one gateway.call event per call, with counts and cost but no prompt text, and audits it', async () => {
    fake.enqueue(
      fakeReply.toolCall('get_weather', { city: 'Paris' }, { inputTokens: 1_000, outputTokens: 200 }),
    );
    await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: PROMPT }],
      tools: [weatherTool],
    });
    const calls = events.filter((e) => e.type === 'gateway.call');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      tenant_id: 'acme',
      user_id: 'alice',
      key_id: alice.id,
      agent: 'gpt-4.1-mini',
      mode: 'route',
      provider: 'openai-compatible',
      provider_model: 'fake-model',
      tools: 1,
      tool_calls: 1,
      finish_reason: 'tool_calls',
      input_tokens: 1_000,
      output_tokens: 200,
      cost_usd: 0.004,
      status: 'ok',
    });
    expect(JSON.stringify(calls[0])).not.toContain('secret-prompt-marker');
    await berth.app.bus.drain();
    const rows = await berth.app.store.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, 'acme'), eq(auditEvents.action, 'gateway.call')));
    const row = rows.find((r) => r.requestId === calls[0]?.request_id);
    expect(row).toMatchObject({ actorUser: 'alice', actorKey: alice.id, outcome: 'ok' });
    expect(row?.details).toMatchObject({ agent: 'gpt-4.1-mini', tool_calls: 1, cost_usd: 0.004 });
    const text = JSON.stringify(rows);
    expect(text).not.toContain('secret-prompt-marker');
  });

  it('serves the AI SDK’s OpenAI provider pointed at Berth: tool calls back, then its own tool loop', async () => {
    const openai = createOpenAI({ baseURL: `${berth.url}/v1`, apiKey: alice.key });
    const inputSchema = z.object({ city: z.string() });
    fake.enqueue(fakeReply.toolCall('get_weather', { city: 'Paris' }));
    const asked = await generateText({
      model: openai.chat('gpt-4.1-mini'),
      prompt: 'Weather in Paris?',
      tools: { get_weather: tool({ description: 'The weather in a city', inputSchema }) },
      maxRetries: 0,
    });
    expect(asked.finishReason).toBe('tool-calls');
    expect(asked.toolCalls[0]).toMatchObject({ toolName: 'get_weather', input: { city: 'Paris' } });

    fake.enqueue(fakeReply.toolCall('get_weather', { city: 'Oslo' }), fakeReply.ok('3 °C in Oslo.'));
    const looped = await generateText({
      model: openai.chat('gpt-4.1-mini'),
      prompt: 'Weather in Oslo?',
      tools: {
        get_weather: tool({
          description: 'The weather in a city',
          inputSchema,
          execute: async () => ({ celsius: 3 }),
        }),
      },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    expect(looped.text).toBe('3 °C in Oslo.');
    const toolMessage = (fake.chatRequests()[2]?.body?.messages ?? []).find((m) => m.role === 'tool');
    expect(toolMessage?.content).toBe('{"celsius":3}');
  });
});

describe('gateway calls and the rate limit', () => {
  it('counts gateway calls against the per-key rate limit', async () => {
    const fake = await startFakeOpenAI();
    const berth = await startBerth({
      env: { BERTH_CONFIG: writeConfig(fake.url), BERTH_API_KEYS: 'sk-a', BERTH_RATE_LIMIT_PER_MINUTE: '2' },
    });
    try {
      const client = new OpenAI({ baseURL: `${berth.url}/v1`, apiKey: 'sk-a', maxRetries: 0 });
      const call = () =>
        client.chat.completions.create({
          model: 'gpt-4.1-mini',
          messages: [{ role: 'user', content: 'hi' }],
        });
      await call();
      await call();
      const error = (await call().catch((e: unknown) => e)) as APIError;
      expect(error.status).toBe(429);
      expect(error.code).toBe('rate_limited');
      expect(fake.chatRequests()).toHaveLength(2);
    } finally {
      await berth.close();
      await fake.close();
    }
  });
});

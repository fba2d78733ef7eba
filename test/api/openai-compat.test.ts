import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BerthInstance, startBerth } from '../support/berth-instance.js';

describe('OpenAI-compatible API, through the official openai client', () => {
  let berth: BerthInstance;
  let client: OpenAI;

  beforeAll(async () => {
    berth = await startBerth({ env: { BERTH_API_KEYS: 'sk-berth-test-key' } });
    client = new OpenAI({ baseURL: `${berth.url}/v1`, apiKey: 'sk-berth-test-key', maxRetries: 0 });
  });
  afterAll(() => berth?.close());

  it('lists the agents as models', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['default']);
    expect(models.data[0]?.owned_by).toBe('berth');
  });

  it('completes a chat with usage filled in', async () => {
    const completion = await client.chat.completions.create({
      model: 'default',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello from the openai client' },
      ],
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('default');
    const text = completion.choices[0]?.message.content ?? '';
    expect(text).toMatch(/berth-offline/);
    expect(text).toMatch(/Hello from the openai client/);
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
    expect(completion.usage?.total_tokens).toBe(
      (completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0),
    );
  });

  it('streams a chat, and the streamed text equals the plain one', async () => {
    const messages = [{ role: 'user' as const, content: 'Stream me a reply about boats' }];
    const plain = await client.chat.completions.create({ model: 'default', messages });
    const stream = await client.chat.completions.create({
      model: 'default',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | undefined | null;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(chunks).toBeGreaterThan(3);
    expect(text).toBe(plain.choices[0]?.message.content);
    expect(finish).toBe('stop');
    expect(usage?.completion_tokens).toBe(plain.usage?.completion_tokens);
  });

  it('reports an unknown model as a 404 the client understands', async () => {
    const error = await client.chat.completions
      .create({ model: 'no-such-agent', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(404);
    expect((error as APIError).code).toBe('agent_not_found');
  });

  it('refuses a wrong key with 401', async () => {
    const wrong = new OpenAI({ baseURL: `${berth.url}/v1`, apiKey: 'sk-wrong', maxRetries: 0 });
    const error = await wrong.models.list().catch((e: unknown) => e);
    expect((error as APIError).status).toBe(401);
    expect((error as APIError).code).toBe('unauthorized');
  });
});

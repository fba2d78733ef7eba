import { generateText, type ModelMessage, streamText, tool } from 'ai';
import pino from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLlmRegistry, type LlmOptions, OFFLINE_MODEL_ID } from './index.js';
import { CAPABILITIES, FIRST_REPLY_NOTICE } from './offline-reply.js';

const options: LlmOptions = {
  providers: {
    openai: {},
    anthropic: {},
    google: {},
    ollama: { baseUrl: 'http://127.0.0.1:9' },
    openaiCompatible: {},
  },
  timeoutMs: 1_000,
  maxRetries: 0,
  retryBaseDelayMs: 10,
  breaker: { consecutiveFailures: 3, halfOpenAfterMs: 1_000 },
};

function offline() {
  const metrics = new Registry();
  const registry = createLlmRegistry({ options, metrics, logger: pino({ level: 'silent' }) });
  return { metrics, model: registry.model({ provider: 'offline', model: 'anything' }) };
}

const user = (text: string): ModelMessage => ({ role: 'user', content: text });
const assistant = (text: string): ModelMessage => ({ role: 'assistant', content: text });

async function reply(messages: ModelMessage[]): Promise<string> {
  const { text } = await generateText({ model: offline().model, messages, maxRetries: 0 });
  return text;
}

const longText = [
  'Berth runs agents for teams that want to keep their data at home.',
  'The office plant needs water on Fridays.',
  'Agents in Berth plan tasks as steps and run the steps on workers.',
  'Parking is free after six.',
  'Every step an agent plans in Berth is audited and can require approval.',
  'The coffee machine was fixed yesterday.',
  'Nobody remembers who ordered the blue chairs for the meeting room on the third floor last spring.',
  'There is cake in the kitchen for anyone who stays late tonight.',
  'Someone left an umbrella by the door and it has been there for weeks now.',
  'The window cleaners come twice a year, usually when it is about to rain again.',
].join(' ');

describe('offline model', () => {
  it('identifies itself as berth-offline from provider berth', () => {
    const { model } = offline();
    expect(model.modelId).toBe(OFFLINE_MODEL_ID);
    expect(model.provider).toBe('berth');
  });

  it('gives the same reply to the same conversation', async () => {
    const messages = [user('hello there, what can you do?')];
    expect(await reply(messages)).toBe(await reply(messages));
  });

  it('starts the first reply of a conversation with the notice, and later replies without it', async () => {
    const first = await reply([user('hello')]);
    expect(first.split('\n')[0]).toBe(FIRST_REPLY_NOTICE);
    expect(first).toContain('berth-offline');
    expect(first).toContain('BERTH_LLM_PROVIDER=openai');
    expect(first).toContain('OPENAI_API_KEY');
    expect(first).toContain('OLLAMA_BASE_URL');
    const later = await reply([user('hello'), assistant(first), user('and now?')]);
    expect(later).not.toContain('berth-offline');
    expect(later).toBe('You wrote: "and now?". As said above, I can only summarise text or links you send.');
  });

  it('says what it can do once per conversation, in the first reply that needs it', async () => {
    const first = await reply([user('hello')]);
    expect(first).toContain(CAPABILITIES);
    const second = await reply([user('hello'), assistant(first), user('and now?')]);
    expect(second).not.toContain(CAPABILITIES);
    // A conversation that began with a link has not heard it yet.
    const linkReply = await reply([user('https://example.com/a')]);
    expect(linkReply).not.toContain(CAPABILITIES);
    const after = await reply([user('https://example.com/a'), assistant(linkReply), user('hi')]);
    expect(after).toContain(CAPABILITIES);
    expect(after).not.toContain(FIRST_REPLY_NOTICE);
  });

  it('offers to summarise URLs as a background task instead of fetching them', async () => {
    const text = await reply([
      assistant('hi'),
      user('Can you read https://example.com/a and http://example.org/b?q=1, please?'),
    ]);
    expect(text).toContain('background task');
    expect(text).toContain('- https://example.com/a\n- http://example.org/b?q=1');
    expect(text).not.toContain('b?q=1,');
  });

  it('summarises text it is asked to summarise, keeping the key sentences', async () => {
    const text = await reply([assistant('hi'), user(`Summarise this:\n${longText.slice(0, 400)}`)]);
    expect(text).toContain('Summary');
    expect(text).toContain('Agents in Berth plan tasks as steps and run the steps on workers.');
    expect(text).not.toContain('Summarise this');
    expect(text).not.toContain('Parking is free after six.');
  });

  it('summarises long text even without being asked', async () => {
    expect(longText.length).toBeGreaterThan(600);
    const text = await reply([assistant('hi'), user(longText)]);
    expect(text).toContain(
      'Berth runs agents for teams that want to keep their data at home. ' +
        'Agents in Berth plan tasks as steps and run the steps on workers. ' +
        'Every step an agent plans in Berth is audited and can require approval.',
    );
    expect(text).not.toContain('coffee');
  });

  it('quotes at most a short excerpt of what it received', async () => {
    const text = await reply([assistant('hi'), user(`tell me a story ${'about dragons '.repeat(20)}`)]);
    expect(text).toMatch(/You wrote: "tell me a story about dragons[^"]*…"/);
    expect(text.length).toBeLessThan(400);
  });

  it('streams exactly the text it generates, word by word, with the same usage', async () => {
    const messages = [user(`Summarise: ${longText}`)];
    const generated = await generateText({ model: offline().model, messages, maxRetries: 0 });
    const streamed = streamText({ model: offline().model, messages, maxRetries: 0 });
    const deltas: string[] = [];
    for await (const delta of streamed.textStream) deltas.push(delta);
    expect(deltas.join('')).toBe(generated.text);
    expect(deltas.length).toBeGreaterThan(10);
    expect(deltas.every((delta) => delta.trim().split(/\s+/).length === 1)).toBe(true);
    expect(await streamed.usage).toMatchObject({
      inputTokens: generated.usage.inputTokens,
      outputTokens: generated.usage.outputTokens,
    });
    expect(await streamed.finishReason).toBe('stop');
  });

  it('counts tokens as a quarter of the characters, rounded up', async () => {
    const messages = [user('hello')];
    const result = await generateText({
      model: offline().model,
      instructions: 'Be brief.',
      messages,
      maxRetries: 0,
    });
    expect(result.usage.inputTokens).toBe(Math.ceil(('Be brief.'.length + 'hello'.length) / 4));
    expect(result.usage.outputTokens).toBe(Math.ceil(result.text.length / 4));
    expect(result.finishReason).toBe('stop');
  });

  it('never calls the tools it is offered', async () => {
    let executed = false;
    const echo = tool({
      description: 'Echo the input',
      inputSchema: z.object({ text: z.string() }),
      execute: async ({ text }) => {
        executed = true;
        return text;
      },
    });
    const result = await generateText({
      model: offline().model,
      messages: [user('echo hi')],
      tools: { echo },
    });
    expect(result.toolCalls).toEqual([]);
    expect(executed).toBe(false);
    expect(result.text).toContain('You wrote: "echo hi"');
  });

  it('goes through the same metrics as real providers', async () => {
    const { metrics, model } = offline();
    const result = await generateText({ model, messages: [user('hello')], maxRetries: 0 });
    const calls = await metrics.getSingleMetric('berth_llm_calls_total')?.get();
    expect(calls?.values).toContainEqual({
      labels: { provider: 'offline', model: OFFLINE_MODEL_ID, outcome: 'ok' },
      value: 1,
    });
    const tokens = await metrics.getSingleMetric('berth_llm_tokens_total')?.get();
    expect(tokens?.values).toContainEqual({
      labels: { provider: 'offline', model: OFFLINE_MODEL_ID, kind: 'output' },
      value: result.usage.outputTokens,
    });
  });
});

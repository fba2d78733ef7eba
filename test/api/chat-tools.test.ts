import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/app/config.js';
import { appConfigChecks } from '../../src/app/core.js';
import { startBerth, tempDir } from '../support/berth-instance.js';
import { fakeReply } from '../support/fake-openai-server.js';
import { type ErrorBody, getJson, postJson, readSse, type SseEvent } from '../support/http.js';
import { RESEARCHER_STEPS, startToolAgents, type ToolAgentsWorld, toolMessages } from './tool-agents.js';

interface ChatBody {
  conversation_id: string;
  response: string;
  usage: { input_tokens: number; output_tokens: number };
}
interface History {
  messages: Array<{ role: string; content: string }>;
}

const doneOf = (events: SseEvent[]) => events.at(-1)?.data as ChatBody | undefined;

describe('chat with tools', () => {
  let world: ToolAgentsWorld;
  beforeAll(async () => {
    world = await startToolAgents();
  });
  afterAll(() => world?.close());
  beforeEach(() => {
    world.fake.reset();
    world.pages.hits.length = 0;
  });

  const chat = (body: unknown) => postJson<ChatBody & ErrorBody>(`${world.berth.url}/api/chat`, body);
  const streamChat = async (body: unknown) => {
    const response = await fetch(`${world.berth.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    return readSse(response);
  };
  const history = async (userId: string) =>
    (await getJson<History>(`${world.berth.url}/api/chat/history/${userId}`)).body.messages;
  const article = () => `${world.pages.origin}/article`;

  it('offers the agent its tools, runs the call the model makes, and stores the final answer', async () => {
    world.fake.enqueue(
      fakeReply.toolCall('fetch_url', { url: article() }, { inputTokens: 40, outputTokens: 12 }),
      fakeReply.ok('Twelve tidal turbines now feed the grid.', { inputTokens: 900, outputTokens: 9 }),
    );
    const reply = await chat({ message: 'What is the article about?', agent: 'researcher', user_id: 'ana' });
    expect(reply.status).toBe(200);
    expect(reply.body.response).toBe('Twelve tidal turbines now feed the grid.');
    expect(reply.body.usage).toEqual({ input_tokens: 940, output_tokens: 21, cost_usd: 0 });
    expect(world.pages.hits).toEqual(['/article']);

    const [first, second] = world.fake.chatRequests();
    const offered = ((first?.body?.tools ?? []) as Array<{ function: { name: string } }>).map(
      (t) => t.function.name,
    );
    expect(offered.sort()).toEqual(['extract_text', 'fetch_url']);
    expect(first?.body?.tool_choice).not.toBe('none');
    const results = toolMessages(second?.body);
    expect(results).toHaveLength(1);
    expect(results[0]).toContain('Tidal Power Comes of Age');
    // The page's text reached the model as data; the instructions are the agent's own, unchanged.
    expect(second?.body?.messages?.[0]).toEqual({
      role: 'system',
      content: 'You answer from the pages you fetch.',
    });

    expect((await history('ana')).map((m) => [m.role, m.content])).toEqual([
      ['user', 'What is the article about?'],
      ['assistant', 'Twelve tidal turbines now feed the grid.'],
    ]);
  });

  it('streams tool_call and tool_result events, then the tokens, then done', async () => {
    world.fake.enqueue(
      fakeReply.toolCall('fetch_url', { url: article() }),
      fakeReply.ok('The tides now light homes.'),
    );
    const events = await streamChat({ message: 'Read it', agent: 'researcher', user_id: 'sam' });
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('start');
    expect(names.slice(1, 3)).toEqual(['tool_call', 'tool_result']);
    expect(names.slice(3, -1).every((name) => name === 'token')).toBe(true);
    expect(names.at(-1)).toBe('done');
    expect(events[1]?.data).toEqual({ id: expect.any(String), tool: 'fetch_url', input: { url: article() } });
    expect(events[2]?.data).toEqual({
      id: (events[1]?.data as { id?: string } | undefined)?.id,
      tool: 'fetch_url',
      ok: true,
    });
    const text = events.filter((e) => e.event === 'token').map((e) => (e.data as { delta: string }).delta);
    expect(text.join('')).toBe('The tides now light homes.');
    expect(doneOf(events)?.response).toBe('The tides now light homes.');
    // Both model calls count: 10 + 10 in, 5 + 7 out (the fake's defaults).
    expect(doneOf(events)?.usage).toEqual({ input_tokens: 20, output_tokens: 12, cost_usd: 0 });
    expect(world.pages.hits).toEqual(['/article']);
    expect(await history('sam')).toHaveLength(2);
  });

  it('keeps text the model wrote before a tool call, a blank line before the rest, streamed or not', async () => {
    const steps = () => [
      fakeReply.toolCalls([{ name: 'fetch_url', arguments: { url: article() } }], { text: 'Let me look.' }),
      fakeReply.ok('It is about tides.'),
    ];
    world.fake.enqueue(...steps());
    const plain = await chat({ message: 'Look it up', agent: 'researcher', user_id: 'pre' });
    expect(plain.body.response).toBe('Let me look.\n\nIt is about tides.');
    world.fake.enqueue(...steps());
    const events = await streamChat({ message: 'Look it up', agent: 'researcher', user_id: 'pre' });
    const tokens = events.filter((e) => e.event === 'token').map((e) => (e.data as { delta: string }).delta);
    expect(tokens.join('')).toBe('Let me look.\n\nIt is about tides.');
    expect(doneOf(events)?.response).toBe(tokens.join(''));
  });

  it('hands a tool failure to the model as a result, and the chat still answers', async () => {
    world.fake.enqueue(
      fakeReply.toolCall('fetch_url', { url: 'http://169.254.169.254/latest/meta-data/' }),
      fakeReply.ok('I could not read that address.'),
    );
    const events = await streamChat({ message: 'Fetch the metadata', agent: 'researcher', user_id: 'eve' });
    const result = events.find((e) => e.event === 'tool_result') as SseEvent;
    expect(result.data).toMatchObject({ tool: 'fetch_url', ok: false, error: { code: 'ssrf_blocked' } });
    expect(doneOf(events)?.response).toBe('I could not read that address.');
    const seen = toolMessages(world.fake.chatRequests()[1]?.body);
    expect(seen[0]).toContain('ssrf_blocked');
    expect(world.pages.hits).toEqual([]);
  });

  it('sends an invalid tool input back to the model instead of failing the turn', async () => {
    world.fake.enqueue(
      fakeReply.toolCall('fetch_url', { url: 'not a url' }),
      fakeReply.ok('Bad link, sorry.'),
    );
    const reply = await chat({ message: 'Fetch nothing', agent: 'researcher', user_id: 'ivy' });
    expect(reply.status).toBe(200);
    expect(toolMessages(world.fake.chatRequests()[1]?.body)[0]).toContain('invalid_tool_input');
  });

  it('refuses a call to a tool the agent does not have, and the model goes on', async () => {
    world.fake.enqueue(
      fakeReply.toolCall('send_email', { to: 'x@example.com' }),
      fakeReply.ok('I cannot send mail.'),
    );
    const events = await streamChat({ message: 'Mail my boss', agent: 'researcher', user_id: 'mal' });
    const result = events.find((e) => e.event === 'tool_result') as SseEvent;
    expect(result.data).toMatchObject({ tool: 'send_email', ok: false, error: { code: 'unknown_tool' } });
    expect(doneOf(events)?.response).toBe('I cannot send mail.');
    expect(toolMessages(world.fake.chatRequests()[1]?.body)[0]).toMatch(/send_email/);
  });

  it(`stops a model that never stops calling tools after ${RESEARCHER_STEPS} model calls`, async () => {
    world.fake.enqueue(
      fakeReply.forever(fakeReply.toolCall('fetch_url', { url: `${world.pages.origin}/plain` })),
    );
    const reply = await chat({ message: 'Loop forever', agent: 'researcher', user_id: 'loop' });
    expect(reply.status).toBe(502);
    expect(reply.body.error.code).toBe('tool_steps_exceeded');
    expect(reply.body.error.message).toMatch(/after 3 steps/);
    const requests = world.fake.chatRequests();
    expect(requests).toHaveLength(RESEARCHER_STEPS);
    // Every step but the last may call tools; the last is told to answer, and its tool call is not run.
    expect(requests.map((r) => r.body?.tool_choice ?? 'auto')).toEqual(['auto', 'auto', 'none']);
    expect(world.pages.hits).toEqual(['/plain', '/plain']);
    expect(await history('loop')).toEqual([]);
  });

  it('ends a streamed turn whose model never stops calling tools with an error event', async () => {
    world.fake.enqueue(
      fakeReply.forever(fakeReply.toolCall('fetch_url', { url: `${world.pages.origin}/plain` })),
    );
    const events = await streamChat({ message: 'Loop forever', agent: 'researcher', user_id: 'loop-sse' });
    expect(events.filter((e) => e.event === 'tool_call')).toHaveLength(RESEARCHER_STEPS - 1);
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { error: { code: 'tool_steps_exceeded' } } });
    expect(world.fake.chatRequests()).toHaveLength(RESEARCHER_STEPS);
    expect(await history('loop-sse')).toEqual([]);
  });

  it('makes the model answer without tools once the conversation budget is spent', async () => {
    world.fake.enqueue(
      fakeReply.toolCall('fetch_url', { url: article() }, { inputTokens: 150, outputTokens: 5 }),
      fakeReply.ok('Answer with what I have.'),
    );
    const reply = await chat({ message: 'Research cheaply', agent: 'frugal', user_id: 'frugal' });
    expect(reply.status).toBe(200);
    expect(reply.body.response).toBe('Answer with what I have.');
    expect(world.fake.chatRequests().map((r) => r.body?.tool_choice ?? 'auto')).toEqual(['auto', 'none']);
    const next = await chat({
      message: 'More?',
      user_id: 'frugal',
      conversation_id: reply.body.conversation_id,
    });
    expect(next.status).toBe(422);
    expect(next.body.error.code).toBe('token_budget_exceeded');
  });

  it('runs the tools for OpenAI-compatible completions too, returning the final text', async () => {
    world.fake.enqueue(fakeReply.toolCall('fetch_url', { url: article() }), fakeReply.ok('Tides, mostly.'));
    const reply = await postJson<{ choices: Array<{ message: { content: string } }> }>(
      `${world.berth.url}/v1/chat/completions`,
      { model: 'researcher', messages: [{ role: 'user', content: 'Summarise the article' }] },
    );
    expect(reply.status).toBe(200);
    expect(reply.body.choices[0]?.message.content).toBe('Tides, mostly.');
    expect(world.pages.hits).toEqual(['/article']);
  });

  it('lists each agent with its tools and step limit', async () => {
    const { body } = await getJson<{
      agents: Array<{ name: string; tools: string[]; max_tool_steps: number }>;
    }>(`${world.berth.url}/api/agents`);
    expect(body.agents.map((a) => [a.name, a.tools, a.max_tool_steps])).toEqual([
      ['default', [], 5],
      ['researcher', ['fetch_url', 'extract_text'], RESEARCHER_STEPS],
      ['frugal', ['fetch_url'], 5],
    ]);
  });
});

describe('tool configuration', () => {
  const configWith = (agentLines: string[]) => {
    const path = join(tempDir('berth-tools-bad-'), 'berth.yaml');
    writeFileSync(path, ['agents:', '  - name: first', ...agentLines].join('\n'));
    return path;
  };

  it('refuses to start when an agent names send_email without an SMTP server, naming the key', async () => {
    const path = configWith(['  - name: mailer', '    tools: [fetch_url, send_email]']);
    await expect(startBerth({ env: { BERTH_CONFIG: path } })).rejects.toThrow(
      /agents\.1\.tools\.1: is not available: send_email needs BERTH_SMTP_URL \(tools\.smtp\.url\); got "send_email"; allowed: fetch_url, extract_text/,
    );
    // The CLI's way: a configuration problem like any other, naming the file.
    const loaded = loadConfig({ env: { BERTH_CONFIG: path }, cwd: tmpdir(), checks: appConfigChecks });
    expect(loaded.ok ? [] : loaded.error.problems).toEqual([
      `agents.1.tools.1 in ${path}: is not available: send_email needs BERTH_SMTP_URL (tools.smtp.url); got "send_email"; allowed: fetch_url, extract_text, summarize, answer`,
    ]);
  });

  it.each([
    ['a tool listed twice', ['    tools: [fetch_url, fetch_url]'], /agents\.0\.tools.*twice/],
    ['a tool name no LLM API accepts', ['    tools: ["fetch url"]'], /agents\.0\.tools\.0/],
    ['fewer than two steps', ['    maxToolSteps: 1'], /agents\.0\.maxToolSteps/],
  ])('rejects %s', (_name, lines, problem) => {
    const loaded = loadConfig({ env: { BERTH_CONFIG: configWith(lines) }, cwd: tmpdir() });
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.error.message).toMatch(problem);
  });

  it('rejects a malformed BERTH_FETCH_ALLOW, naming the variable', () => {
    const loaded = loadConfig({ env: { BERTH_FETCH_ALLOW: '127.0.0.1:4567,no-port' }, cwd: tmpdir() });
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.error.message).toMatch(/BERTH_FETCH_ALLOW \(tools\.fetchAllow\)/);
  });
});

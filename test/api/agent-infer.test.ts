import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeReply } from '../support/fake-openai-server.js';
import { type ErrorBody, getJson, postJson } from '../support/http.js';
import { startToolAgents, type ToolAgentsWorld } from './tool-agents.js';

interface InferBody {
  request_id: string;
  status: string;
  answer: string;
  evidence: Array<{ type: string; tool: string; ref: string }>;
  policy_version: string;
}

describe('POST /v1/agent/infer', () => {
  let world: ToolAgentsWorld;
  let versions: Map<string, string>;
  beforeAll(async () => {
    world = await startToolAgents();
    const { body } = await getJson<{ agents: Array<{ name: string; version: string }> }>(
      `${world.berth.url}/api/agents`,
    );
    versions = new Map(body.agents.map((agent) => [agent.name, agent.version]));
  });
  afterAll(() => world?.close());
  beforeEach(() => {
    world.fake.reset();
    world.pages.hits.length = 0;
  });

  const infer = (body: unknown, headers?: Record<string, string>) =>
    postJson<InferBody & ErrorBody>(`${world.berth.url}/v1/agent/infer`, body, headers);
  const question = (text = 'What does the article say?') => ({
    user_id: 'analyst',
    workflow: 'researcher',
    input: { text },
  });

  it('answers with the tool calls it rests on and the agent version', async () => {
    const redirect = `${world.pages.origin}/redirect?to=/article`;
    world.fake.enqueue(
      fakeReply.toolCall('fetch_url', { url: redirect }),
      fakeReply.toolCall('extract_text', { content: '<p>Tides</p>', contentType: 'text/html' }),
      fakeReply.ok('Tidal turbines now feed the grid.'),
    );
    const reply = await infer({ request_id: 'case-42', ...question() });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      request_id: 'case-42',
      status: 'completed',
      approval_required: false,
      answer: 'Tidal turbines now feed the grid.',
      evidence: [
        { type: 'tool', tool: 'fetch_url', ref: `${world.pages.origin}/article` },
        { type: 'tool', tool: 'extract_text', ref: expect.stringMatching(/^call_fake_/) },
      ],
      policy_version: versions.get('researcher'),
    });
    expect(world.pages.hits).toEqual(['/redirect', '/article']);
  });

  it('stores nothing: the user has no history afterwards', async () => {
    world.fake.enqueue(fakeReply.ok('Nothing to fetch.'));
    expect((await infer({ ...question(), user_id: 'stateless' })).status).toBe(200);
    const history = await getJson<{ messages: unknown[] }>(`${world.berth.url}/api/chat/history/stateless`);
    expect(history.body.messages).toEqual([]);
  });

  it('leaves failed tool calls out of the evidence', async () => {
    world.fake.enqueue(
      fakeReply.toolCall('fetch_url', { url: 'http://10.0.0.5/internal' }),
      fakeReply.ok('That page is not reachable.'),
    );
    const reply = await infer(question());
    expect(reply.status).toBe(200);
    expect(reply.body.answer).toBe('That page is not reachable.');
    expect(reply.body.evidence).toEqual([]);
  });

  it('echoes the x-request-id when the body has no request_id', async () => {
    world.fake.enqueue(fakeReply.ok('ok'));
    const reply = await infer(question(), { 'x-request-id': 'req-infer-7' });
    expect(reply.body.request_id).toBe('req-infer-7');
    expect(reply.headers.get('x-request-id')).toBe('req-infer-7');
  });

  it('answers with an agent that has no tools, on the offline model', async () => {
    const reply = await infer({ ...question('Hello'), workflow: 'default' });
    expect(reply.status).toBe(200);
    expect(reply.body.answer).toMatch(/berth-offline/);
    expect(reply.body.evidence).toEqual([]);
    expect(reply.body.policy_version).toBe(versions.get('default'));
  });

  it('reports a model that never stops calling tools as tool_steps_exceeded', async () => {
    world.fake.enqueue(
      fakeReply.forever(fakeReply.toolCall('fetch_url', { url: `${world.pages.origin}/plain` })),
    );
    const reply = await infer(question());
    expect(reply.status).toBe(502);
    expect(reply.body.error.code).toBe('tool_steps_exceeded');
  });

  it("takes tenant_id when it is the caller's own, and refuses another tenant's with 403 before the model runs", async () => {
    world.fake.enqueue(fakeReply.ok('Same tenant.'));
    const own = await infer({ ...question(), tenant_id: 'default' });
    expect(own.status).toBe(200);
    expect(own.body.answer).toBe('Same tenant.');
    world.fake.reset();
    const other = await infer({ ...question(), tenant_id: 'globex' });
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('forbidden');
    expect(other.body.error.message).toContain('globex');
    expect(world.fake.chatRequests()).toEqual([]);
  });

  it('answers 404 agent_not_found for an unknown workflow', async () => {
    const reply = await infer({ ...question(), workflow: 'nobody' });
    expect(reply.status).toBe(404);
    expect(reply.body.error.code).toBe('agent_not_found');
    expect(world.fake.chatRequests()).toEqual([]);
  });

  describe('bad bodies get 400 naming the field', () => {
    const cases: Array<[string, unknown, string]> = [
      ['no user_id', { workflow: 'researcher', input: { text: 'hi' } }, 'body.user_id'],
      ['no workflow', { user_id: 'u', input: { text: 'hi' } }, 'body.workflow'],
      ['no input', { user_id: 'u', workflow: 'researcher' }, 'body.input'],
      ['blank text', { ...question('   ') }, 'body.input.text'],
      ['text not a string', { ...question(), input: { text: 42 } }, 'body.input.text'],
      ['an unknown input field', { ...question(), input: { text: 'hi', lang: 'en' } }, 'body.input'],
      ['an unknown field', { ...question(), stream: true }, 'body'],
      ['a request_id with spaces', { ...question(), request_id: 'two words' }, 'body.request_id'],
      ['a user_id with a slash', { ...question(), user_id: 'a/b' }, 'body.user_id'],
      ['a tenant_id that is no slug', { ...question(), tenant_id: 'Acme Corp' }, 'body.tenant_id'],
    ];
    it.each(cases)('%s', async (_name, body, field) => {
      const reply = await infer(body);
      expect(reply.status).toBe(400);
      expect(reply.body.error.code).toBe('validation_failed');
      expect(reply.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect(world.fake.chatRequests()).toEqual([]);
    });

    it('malformed JSON', async () => {
      const reply = await infer('{"user_id": "u",');
      expect(reply.status).toBe(400);
      expect(reply.body.error.code).toBe('invalid_json');
    });
  });

  it('is in the OpenAPI document', async () => {
    const doc = await getJson<{ paths: Record<string, { post?: { description?: string } }> }>(
      `${world.berth.url}/api/openapi.json`,
    );
    expect(doc.body.paths['/v1/agent/infer']?.post?.description).toMatch(/Stateless/);
  });
});

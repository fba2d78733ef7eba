// What a new user reads in the first hour on the offline model: the chat's disclaimer once per
// conversation, a summary of two overlapping pages without repeats or fragments, a task page note in
// plain words, and a blocked fetch that says how to allow it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitSentences } from '../../src/modules/llm/extractive-summary.js';
import { CAPABILITIES, FIRST_REPLY_NOTICE } from '../../src/modules/llm/offline-reply.js';
import { type BerthInstance, startBerth } from '../support/berth-instance.js';
import { type FixtureSite, startFixtureSite } from '../support/fixture-site.js';
import { postJson } from '../support/http.js';
import { createTask, waitForTask } from '../support/tasks.js';

const page = (title: string, paragraphs: string[]) =>
  `<!doctype html><html><head><title>${title}</title></head><body><nav>Home · About · Contact</nav><article><h1>${title}</h1>${paragraphs
    .map((p) => `<p>${p}</p>`)
    .join(
      '',
    )}<ul><li>Fast</li><li>Safe</li></ul><p>Read more</p></article><footer>© Fixture</footer></body></html>`;

const SHARED = [
  'Berth runs agents for teams that keep their data at home.',
  'Agents in Berth plan tasks as steps and run each step on a worker.',
  'Every step an agent plans is audited, and steps that change the world wait for approval.',
].join(' ');

describe('messages of the offline model, the planner and the fetch guard', () => {
  let site: FixtureSite;
  let berth: BerthInstance;
  beforeAll(async () => {
    site = await startFixtureSite();
    site.route('/a', {
      body: page('Berth overview', [
        SHARED,
        "Workers take steps from the queue, and a dead worker's steps are taken over by another worker.",
      ]),
    });
    site.route('/b', {
      body: page('Berth overview (mirror)', [
        SHARED,
        'The queue is BullMQ on Redis, or in-process when embedded, and workers report progress on steps.',
      ]),
    });
    berth = await startBerth({ env: { BERTH_FETCH_ALLOW: site.host } });
  });
  afterAll(async () => {
    await berth?.close();
    await site?.close();
  });

  it('says its notice and what it can do once per conversation', async () => {
    const replies: string[] = [];
    let conversation: string | undefined;
    for (const message of ['hello', 'what can you do?', 'thanks']) {
      const { status, body } = await postJson<{ conversation_id: string; response: string }>(
        `${berth.url}/api/chat`,
        { message, ...(conversation ? { conversation_id: conversation } : {}) },
      );
      expect(status).toBe(200);
      conversation = body.conversation_id;
      replies.push(body.response);
    }
    expect(replies.map((r) => r.includes(FIRST_REPLY_NOTICE))).toEqual([true, false, false]);
    expect(replies.map((r) => r.includes(CAPABILITIES))).toEqual([true, false, false]);
    expect(replies[2]).toMatch(/^You wrote: "thanks"\./);
  });

  it('summarises two overlapping pages without a repeated sentence or a dangling fragment', async () => {
    const accepted = await createTask(berth.url, {
      description: `Summarize ${site.url}/a and ${site.url}/b`,
    });
    const task = await waitForTask(berth.url, accepted.body.task_id);
    expect(task.status).toBe('completed');
    const sentences = splitSentences(task.result ?? '');
    expect(sentences.length).toBeGreaterThanOrEqual(4);
    expect(new Set(sentences).size).toBe(sentences.length);
    for (const sentence of sentences) expect(sentence, 'a whole sentence').toMatch(/[.!?]$/);
    expect(task.result).not.toMatch(/Read more|Fast|Safe|Home · About/);
    expect(task.planner).toBe('rule');
    expect(task.planner_note).toBe(
      "Planned by Berth's built-in rules (fetch each link, extract its text and summarise them; without a link, answer directly), because the built-in offline model cannot plan tasks.",
    );
  });

  it('says how to allow a blocked address', async () => {
    const accepted = await createTask(berth.url, { description: 'Summarize http://127.0.0.1:9/admin' });
    const task = await waitForTask(berth.url, accepted.body.task_id);
    expect(task.status).toBe('failed');
    expect(task.error).toMatchObject({
      code: 'ssrf_blocked',
      message: '127.0.0.1 is a loopback address; to allow it, add 127.0.0.1:9 to BERTH_FETCH_ALLOW',
    });
  });
});

// Promise 9: secrets and personal data never reach logs, queue payloads, lifecycle events or spans.
// One end-to-end run on Postgres and BullMQ — a task that fetches, summarises and e-mails its result
// after approval, and a chat turn — with secrets planted where an operator and a user would put them:
// the API key, the SMTP password (in BERTH_SMTP_URL), a provider key in config, and an e-mail address
// in the task and the chat message. The rows that must hold the address (the step's input, the
// approval's arguments, the message) are in the store, which is the one place it belongs.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BerthEvent } from '../../src/app/events.js';
import { type SmtpReceiver, startSmtpReceiver } from '../../src/modules/tools/testdata/smtp-receiver.js';
import { type BerthInstance, startBerth } from '../support/berth-instance.js';
import { articlePage, type FixtureSite, startFixtureSite } from '../support/fixture-site.js';
import { getJson, postJson } from '../support/http.js';
import {
  createTestDatabase,
  deleteRedisKeys,
  postgresSkipReason,
  REDIS_URL,
  redisSkipReason,
} from '../support/services.js';
import { waitForTask } from '../support/tasks.js';
import { installTestTracing, type TestTracing } from '../support/test-tracing.js';

const API_KEY = 'planted-api-key-7Hq2ZxVw9Lr4';
const SMTP_PASSWORD = 'planted-smtp-pass-Kd83Jq';
const PROVIDER_KEY = 'sk-planted-provider-key-Xq91Lm';
const ADDRESS = 'alice.planted@example.com';
const SECRETS = { API_KEY, SMTP_PASSWORD, PROVIDER_KEY, ADDRESS };

const skip = (await postgresSkipReason()) ?? (await redisSkipReason());
const prefix = `berth-privacy-${process.pid}`;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let berth: BerthInstance;
let site: FixtureSite;
let smtp: SmtpReceiver;
let tracing: TestTracing;
const events: BerthEvent[] = [];
/** Every job payload BullMQ held while the run went on (jobs are removed once done, so they are read as they come). */
const jobPayloads = new Set<string>();
let redis: Redis;
let sampling: ReturnType<typeof setInterval> | undefined;

const auth = { authorization: `Bearer ${API_KEY}` };

async function sampleJobs() {
  const keys = await redis.keys(`${prefix}:*`);
  for (const key of keys) {
    const type = await redis.type(key);
    if (type === 'hash') jobPayloads.add(JSON.stringify(await redis.hgetall(key)));
    else if (type === 'list') jobPayloads.add(JSON.stringify(await redis.lrange(key, 0, -1)));
    else if (type === 'zset') jobPayloads.add(JSON.stringify(await redis.zrange(key, 0, -1)));
    else if (type === 'stream') jobPayloads.add(JSON.stringify(await redis.xrange(key, '-', '+')));
  }
}

describe.skipIf(skip)('planted secrets (Postgres, BullMQ)', () => {
  beforeAll(async () => {
    tracing = installTestTracing();
    [site, smtp, database] = await Promise.all([
      startFixtureSite(),
      startSmtpReceiver({ credentials: { user: 'berth', pass: SMTP_PASSWORD } }),
      createTestDatabase(),
    ]);
    site.route('/harbour', {
      body: articlePage('Harbours', ['A harbour shelters ships from the sea.', 'Tides shape every harbour.']),
    });
    redis = new Redis(REDIS_URL, { lazyConnect: true });
    await redis.connect();
    berth = await startBerth({
      databaseUrl: database.url,
      env: {
        LOG_LEVEL: 'trace',
        REDIS_URL,
        BERTH_REDIS_PREFIX: prefix,
        BERTH_API_KEYS: API_KEY,
        BERTH_FETCH_ALLOW: site.host,
        BERTH_SMTP_URL: `smtp://berth:${SMTP_PASSWORD}@127.0.0.1:${smtp.port}`,
        BERTH_SMTP_FROM: 'Berth <berth@example.org>',
        OPENAI_API_KEY: PROVIDER_KEY,
      },
    });
    berth.app.bus.subscribeAll((event) => void events.push(event));
    sampling = setInterval(() => void sampleJobs().catch(() => {}), 20);
  });
  afterAll(async () => {
    clearInterval(sampling);
    await berth?.close();
    await Promise.all([site?.close(), smtp?.close(), database?.drop(), tracing?.uninstall()]);
    await deleteRedisKeys(REDIS_URL, prefix).catch(() => {});
    redis?.disconnect();
  });

  it('runs a task that mails its summary after approval, and a chat turn naming the address', async () => {
    const description = `Summarise ${site.url}/harbour and email it to ${ADDRESS}`;
    const created = await postJson<{ task_id: string }>(`${berth.url}/api/tasks`, { description }, auth);
    expect(created.status).toBe(202);
    const taskId = created.body.task_id;
    await waitForTask(berth.url, taskId, {
      headers: auth,
      until: (task) => task.status === 'awaiting_approval' || task.status === 'failed',
    });
    const { body } = await getJson<{ approvals: Array<{ approval_id: string; args_hash: string }> }>(
      `${berth.url}/api/approvals?task=${taskId}&status=pending`,
      auth,
    );
    const [approval] = body.approvals;
    expect(approval).toBeDefined();
    const decided = await postJson(
      `${berth.url}/api/approvals/${approval?.approval_id}/approve`,
      { args_hash: approval?.args_hash },
      auth,
    );
    expect(decided.status).toBe(200);
    const done = await waitForTask(berth.url, taskId, { headers: auth });
    expect(done.status).toBe('completed');
    expect(smtp.mails.map((mail) => mail.to)).toEqual([[ADDRESS]]);

    const chat = await postJson(
      `${berth.url}/api/chat`,
      { message: `Please write to me at ${ADDRESS} about harbours.` },
      auth,
    );
    expect(chat.status).toBe(200);
    await sampleJobs();
    await berth.app.bus.drain();
  });

  // What was captured must be real, or the absence checks below prove nothing.
  it('captured logs, job payloads, events and spans of that run', () => {
    expect(berth.logs.length).toBeGreaterThan(5);
    expect([...jobPayloads].some((payload) => payload.includes('stepId'))).toBe(true);
    expect(events.map((event) => event.type)).toEqual(
      expect.arrayContaining(['task.created', 'approval.requested', 'approval.decided', 'task.finished']),
    );
    expect(tracing.spans().length).toBeGreaterThan(5);
  });

  const places: Record<string, () => string> = {
    logs: () => JSON.stringify(berth.logs),
    'queue payloads': () => [...jobPayloads].join('\n'),
    'lifecycle events': () => JSON.stringify(events),
    spans: () =>
      JSON.stringify(
        tracing.spans().map((span) => ({
          name: span.name,
          attributes: span.attributes,
          events: span.events,
          status: span.status,
        })),
      ),
  };
  for (const [place, read] of Object.entries(places)) {
    for (const [name, secret] of Object.entries(SECRETS)) {
      it(`${name} is in no ${place}`, () => {
        const text = read();
        const at = text.indexOf(secret);
        expect(at, at < 0 ? '' : text.slice(Math.max(0, at - 300), at + 100)).toBe(-1);
      });
    }
  }
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGLITE_TEMPLATE } from '../../../test/support/paths.js';
import { loadConfig } from '../../platform/config/index.js';
import { openPgliteStore, type Store } from '../../platform/db/index.js';
import type { Consumer, Queue, QueueDepth } from '../../platform/queue/index.js';
import { createLogger, createMetricsRegistry } from '../../platform/telemetry/index.js';
import { createAgentCatalog } from '../agents/index.js';
import { createLlmRegistry, type LlmOptions } from '../llm/index.js';
import { ToolRegistry } from '../tools/index.js';
import { createTasksModule } from './tasks.module.js';

/** A queue connected but silent: it reports waiting jobs and never delivers one (a worker that stopped after a reconnect). */
function silentQueue(depth: QueueDepth) {
  let consumers = 0;
  const queue: Queue = {
    kind: 'bullmq',
    enqueue: async () => {},
    consume: (): Consumer => {
      consumers++;
      return { stop: async () => {} };
    },
    depth: async () => depth,
    close: async () => {},
  };
  return { queue, consumers: () => consumers };
}

const offlineOnly: LlmOptions = {
  providers: {
    openai: {},
    anthropic: {},
    google: {},
    ollama: { baseUrl: 'http://127.0.0.1:11434' },
    openaiCompatible: {},
  },
  timeoutMs: 1_000,
  maxRetries: 0,
  retryBaseDelayMs: 10,
  breaker: { consecutiveFailures: 5, halfOpenAfterMs: 1_000 },
};

describe('worker health means progress', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openPgliteStore({ dataDir: 'memory://', templatePath: PGLITE_TEMPLATE });
    await store.migrate();
  });
  afterAll(() => store.close());

  const moduleWith = (queue: Queue) => {
    const config = loadConfig({ env: {}, cwd: '/' });
    if (!config.ok) throw config.error;
    const metrics = createMetricsRegistry();
    const logger = createLogger('silent');
    const tools = new ToolRegistry([]);
    const agents = createAgentCatalog(config.value, tools.list());
    if (!agents.ok) throw agents.error;
    return createTasksModule({
      ...{ db: store.db, queue, agents: agents.value, tools, metrics, logger },
      // No model is called in these tests; the registry only has to exist.
      llm: createLlmRegistry({ options: offlineOnly, metrics, logger }),
      ...{ workerConcurrency: 1, maxStepAttempts: 1, maxDescriptionChars: 100, exclusiveStore: false },
      stuckAfterMs: 50,
      reconcileIntervalMs: 60_000,
    });
  };

  it('is not ready when jobs wait and none was taken for a while, and recreates its consumer', async () => {
    const { queue, consumers } = silentQueue({
      waiting: 3,
      active: 0,
      delayed: 0,
      failed: 0,
      oldestWaitingMs: 1000,
    });
    const tasks = moduleWith(queue);
    await tasks.startWorker();
    expect(await tasks.progressProblem()).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await tasks.progressProblem()).toMatch(/no job taken for \d+ s while 3 wait/);
    expect(consumers()).toBe(2);
    // The new consumer gets its own grace period before it is judged again.
    expect(await tasks.progressProblem()).toBeUndefined();
    await tasks.stop();
  });

  it('is ready while idle with nothing waiting', async () => {
    const { queue, consumers } = silentQueue({
      waiting: 0,
      active: 0,
      delayed: 0,
      failed: 0,
      oldestWaitingMs: null,
    });
    const tasks = moduleWith(queue);
    await tasks.startWorker();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await tasks.progressProblem()).toBeUndefined();
    expect(consumers()).toBe(1);
    await tasks.stop();
  });
});

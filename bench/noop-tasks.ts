// Shared by the distributed benchmark's processes: the tasks module with one no-op tool, on Postgres and BullMQ.
import { z } from 'zod';
import { loadConfig } from '../src/app/config.js';
import { llmOptions } from '../src/app.js';
import { createAgentCatalog } from '../src/modules/agents/index.js';
import { createLlmRegistry } from '../src/modules/llm/index.js';
import { createNotifyTaskEvents, createTasksModule, type Plan } from '../src/modules/tasks/index.js';
import { defineTool, ToolRegistry } from '../src/modules/tools/index.js';
import { createPgNotifier, openPostgresStore } from '../src/platform/db/index.js';
import { ok } from '../src/platform/errors.js';
import { createBullmqQueue } from '../src/platform/queue/index.js';
import { createLogger, createMetricsRegistry } from '../src/platform/telemetry/index.js';

export const noopChain: Plan = {
  planner: 'rule',
  steps: [
    { key: 'a', tool: 'noop', input: {}, dependsOn: [] },
    { key: 'b', tool: 'noop', input: {}, dependsOn: ['a'] },
    { key: 'c', tool: 'noop', input: {}, dependsOn: ['b'] },
  ],
};

export const noop = defineTool({
  name: 'noop',
  description: 'does nothing',
  input: z.looseObject({}),
  output: z.object({ ok: z.boolean() }),
  sideEffects: false,
  timeoutMs: 5_000,
  maxOutputBytes: 1_024,
  run: async () => ok({ ok: true }),
});

export async function openNoopTasks(options: {
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  concurrency: number;
  /** A worker process publishes task events and listens to none, as `berth worker` does. */
  publishOnly?: boolean;
  /** The relay's fallback poll (a worker's: 5 s, as `berth worker` has it). Default 500 ms. */
  relayPollMs?: number;
}) {
  const config = loadConfig({ env: {}, cwd: process.cwd() });
  if (!config.ok) throw config.error;
  const logger = createLogger('warn');
  const metrics = createMetricsRegistry();
  const store = await openPostgresStore({ url: options.databaseUrl, maxConnections: 10 });
  await store.migrate();
  const tools = new ToolRegistry([noop]);
  const catalog = createAgentCatalog(config.value, tools.list());
  if (!catalog.ok) throw catalog.error;
  const queue = createBullmqQueue({ connection: options.redisUrl, prefix: options.prefix, logger });
  // Task events between processes as a deployment has them (src/app/infrastructure.ts): LISTEN/NOTIFY.
  const notifier = createPgNotifier(options.databaseUrl, logger);
  const events = await createNotifyTaskEvents(
    notifier,
    (error) => logger.warn({ err: error }, 'event'),
    options.publishOnly ? { listen: false, groupMs: 5 } : {},
  );
  const tasks = createTasksModule({
    ...{ db: store.db, queue, agents: catalog.value, tools, metrics, logger, events },
    llm: createLlmRegistry({ options: llmOptions(config.value), metrics, logger }),
    ...{
      workerConcurrency: options.concurrency,
      maxStepAttempts: 3,
      maxDescriptionChars: 1000,
      exclusiveStore: false,
    },
    relayPollMs: options.relayPollMs,
  });
  return {
    store,
    tasks,
    async close() {
      await tasks.stop();
      await queue.close(2_000);
      await notifier.close();
      await store.close();
    },
  };
}

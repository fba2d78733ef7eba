import type { Db } from '../../platform/db/index.js';
import type { HttpApp } from '../../platform/http/index.js';
import { type Consumer, createOutboxRelay, type Queue } from '../../platform/queue/index.js';
import type { Logger, Registry } from '../../platform/telemetry/index.js';
import type { AgentCatalog } from '../agents/index.js';
import type { LlmRegistry } from '../llm/index.js';
import type { ToolRegistry } from '../tools/index.js';
import { createReconciler } from './reconciler.js';
import { stepJob } from './step-job.js';
import { createStepRunner } from './step-runner.js';
import { createInProcessTaskEvents } from './task-events.js';
import { createTaskMetrics, registerQueueGauges } from './tasks.metrics.js';
import { createTasksRepository } from './tasks.repository.js';
import { registerTaskRoutes } from './tasks.routes.js';
import { createTasksService } from './tasks.service.js';

export interface TasksModuleOptions {
  db: Db;
  queue: Queue;
  llm: LlmRegistry;
  agents: AgentCatalog;
  tools: ToolRegistry;
  metrics: Registry;
  logger: Logger;
  /** Steps run at once by this process. */
  workerConcurrency: number;
  maxStepAttempts: number;
  maxDescriptionChars: number;
  /** True when no other process uses the store (embedded mode): running steps at start belong to a dead process. */
  exclusiveStore: boolean;
  /** First retry delay of a failed step. Default 1000 ms. */
  retryBaseMs?: number;
}

/** Tasks: the planner, the step DAG, the runner that workers use, and the HTTP API. */
export function createTasksModule(options: TasksModuleOptions) {
  const { db, queue, logger } = options;
  const repo = createTasksRepository(db);
  const events = createInProcessTaskEvents();
  const metrics = createTaskMetrics(options.metrics);
  const relay = createOutboxRelay({ db, queue, jobs: [stepJob], logger });
  const runner = createStepRunner({
    repo,
    tools: options.tools,
    events,
    metrics,
    logger,
    onOutbox: relay.kick,
    retryBaseMs: options.retryBaseMs,
  });
  const reconciler = createReconciler({ repo, queue, stepJob, metrics, logger });
  const service = createTasksService({
    repo,
    agents: options.agents,
    llm: options.llm,
    tools: options.tools,
    runner,
    events,
    metrics,
    onOutbox: relay.kick,
    maxStepAttempts: options.maxStepAttempts,
  });
  let consumer: Consumer | undefined;
  registerQueueGauges(options.metrics, stepJob.name, () => queue.depth(stepJob));

  return {
    service,
    registerRoutes: (app: HttpApp) =>
      registerTaskRoutes(app, { tasks: service, events, maxDescriptionChars: options.maxDescriptionChars }),
    /** Starts the worker side: consumes step jobs, relays the outbox, reconciles stranded steps. */
    async startWorker() {
      consumer = queue.consume(stepJob, (job, signal) => runner.run(job.payload.stepId, signal), {
        concurrency: options.workerConcurrency,
      });
      if (options.exclusiveStore) await reconciler.recoverExclusive();
      relay.start();
      reconciler.start();
    },
    async stop() {
      await reconciler.stop();
      await relay.stop();
      await consumer?.stop();
    },
    depth: () => queue.depth(stepJob),
  };
}
export type TasksModule = ReturnType<typeof createTasksModule>;

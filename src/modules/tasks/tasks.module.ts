import type { Db } from '../../platform/db/index.js';
import { createEventBus } from '../../platform/events/index.js';
import type { HttpApp } from '../../platform/http/index.js';
import { type Consumer, createOutboxRelay, type Queue } from '../../platform/queue/index.js';
import type { Logger, Registry } from '../../platform/telemetry/index.js';
import type { AgentCatalog } from '../agents/index.js';
import type { ApprovalEvent, ApprovalStepGate } from '../approvals/index.js';
import type { LlmRegistry } from '../llm/index.js';
import type { ToolRegistry } from '../tools/index.js';
import { createReconciler } from './reconciler.js';
import type { SideEffectOptions } from './side-effect-step.js';
import { stepJob } from './step-job.js';
import { createStepRunner } from './step-runner.js';
import {
  createInProcessTaskEvents,
  isTaskEvent,
  type TaskEvent,
  type TaskEvents,
  taskFinished,
} from './task-events.js';
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
  /** Lease of a running step, renewed while it runs. Default 10 s. */
  leaseMs?: number;
  /** How often the reconciler looks for stranded steps. Default 2 s. */
  reconcileIntervalMs?: number;
  /** A ready step not picked up this long is re-queued. Default 10 s. */
  staleReadyMs?: number;
  /** The lifecycle bus the module publishes its facts on (its own, and approval requests); default one of its own. */
  bus?: TaskBus;
  /** Approval requests of side-effecting steps. Default: expire after 24 h, no four eyes. */
  sideEffects?: SideEffectOptions;
  /** Task progress for SSE, fed from the bus; default in-process (one process). */
  events?: TaskEvents;
  /** A consumer that took no job this long while jobs wait is stuck. Default 30 s. */
  stuckAfterMs?: number;
  /**
   * How often the outbox relay reads the outbox unprompted. Default 500 ms. A worker relays its own
   * rows by a kick right after each commit (and at a retry's time), so it polls only as a fallback.
   */
  relayPollMs?: number;
}

/** What the tasks module needs of the app's lifecycle bus, whichever other features' events it carries. */
export interface TaskBus {
  publish(event: TaskEvent | ApprovalEvent): void;
  subscribeAll(listener: (event: { type: string }) => void): () => void;
}

/** Tasks: the planner, the step DAG, the runner that workers use, and the HTTP API. */
export function createTasksModule(options: TasksModuleOptions) {
  const { db, queue, logger } = options;
  const repo = createTasksRepository(db);
  const stream = options.events ?? createInProcessTaskEvents();
  const events = options.bus ?? createEventBus<TaskEvent | ApprovalEvent>();
  const metrics = createTaskMetrics(options.metrics);
  events.subscribeAll((event) => {
    if (!isTaskEvent(event)) return;
    stream.publish(event);
    if (event.type === 'task.created') metrics.tasksCreated.inc({ planner: event.planner });
    if (event.type === 'task.finished') metrics.tasksFinished.inc({ status: event.status });
  });
  const relay = createOutboxRelay({ db, queue, jobs: [stepJob], logger, pollMs: options.relayPollMs });
  /** Relays rows just committed; a row due later (a retry) gets a kick of its own at its time. */
  const onOutbox = (availableAt?: Date) => {
    relay.kick();
    if (availableAt) setTimeout(relay.kick, Math.max(0, availableAt.getTime() - Date.now())).unref();
  };
  const runner = createStepRunner({
    repo,
    tools: options.tools,
    events,
    metrics,
    logger,
    onOutbox,
    retryBaseMs: options.retryBaseMs,
    leaseMs: options.leaseMs,
    sideEffects: options.sideEffects,
  });
  const reconciler = createReconciler({
    repo,
    queue,
    stepJob,
    metrics,
    logger,
    intervalMs: options.reconcileIntervalMs,
    staleMs: options.staleReadyMs,
  });
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
  let lastJobAt = Date.now();
  let running = 0;
  registerQueueGauges(options.metrics, stepJob.name, () => queue.depth(stepJob));

  const consume = () =>
    queue.consume(
      stepJob,
      async (job, signal) => {
        lastJobAt = Date.now();
        running++;
        try {
          await runner.run(job.payload.stepId, signal);
        } finally {
          running--;
        }
      },
      { concurrency: options.workerConcurrency },
    );

  /** What the approvals module does to a decided step; each move is one transaction with the decision. */
  const approvalGate: ApprovalStepGate = {
    async resume(ref, decide) {
      const resumed = await repo.resumeApproved(ref, decide);
      if (resumed) relay.kick();
      return resumed;
    },
    async fail(ref, error, decide) {
      const failed = await repo.failAwaiting(ref, error, decide);
      if (failed.step) {
        metrics.stepOutcomes.inc({ tool: failed.step.tool, outcome: 'failed' });
        events.publish({
          type: 'step.failed',
          task_id: ref.taskId,
          tenant_id: ref.tenantId,
          step_id: ref.stepId,
          key: failed.step.key,
          tool: failed.step.tool,
          error,
        });
      }
      if (failed.finished) events.publish(taskFinished(failed.finished));
      return failed.won;
    },
  };

  return {
    service,
    /** Task progress as SSE clients get it, from every process (the /mcp server's progress notifications too). */
    events: stream,
    approvalGate,
    registerRoutes: (app: HttpApp) =>
      registerTaskRoutes(app, {
        tasks: service,
        events: stream,
        maxDescriptionChars: options.maxDescriptionChars,
      }),
    /** Moves committed outbox rows onto the queue (every role that writes tasks or steps runs it). */
    startRelay: () => relay.start(),
    /** The worker side: consumes step jobs and reconciles stranded steps. */
    async startWorker() {
      consumer = consume();
      lastJobAt = Date.now();
      if (options.exclusiveStore) await reconciler.recoverExclusive();
      reconciler.start();
    },
    /**
     * Health means progress: undefined while this worker takes jobs (or none wait); else the reason it
     * is stuck — and its consumer is recreated, which is what a reconnect that silently stopped needs.
     */
    async progressProblem(): Promise<string | undefined> {
      if (!consumer) return undefined;
      const depth = await queue.depth(stepJob);
      const idleMs = Date.now() - lastJobAt;
      if (depth.waiting === 0 || running > 0 || idleMs < (options.stuckAfterMs ?? 30_000)) return undefined;
      logger.warn(
        { waiting: depth.waiting, idle_ms: idleMs },
        'worker took no job while jobs wait; recreating its consumer',
      );
      const stale = consumer;
      consumer = undefined;
      await stale.stop();
      consumer = consume();
      lastJobAt = Date.now();
      return `no job taken for ${Math.round(idleMs / 1000)} s while ${depth.waiting} wait`;
    },
    /** Stops chaining steps, relaying and reconciling; the queue's own close drains the consumer within the grace period. */
    async stop() {
      runner.drain();
      await reconciler.stop();
      await relay.stop();
    },
    depth: () => queue.depth(stepJob),
  };
}
export type TasksModule = ReturnType<typeof createTasksModule>;

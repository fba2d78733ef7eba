import type { JobDefinition, Queue } from '../../platform/queue/index.js';
import type { Logger } from '../../platform/telemetry/index.js';
import type { TaskMetrics } from './tasks.metrics.js';
import type { TasksRepository } from './tasks.repository.js';

export interface ReconcilerOptions {
  repo: TasksRepository;
  queue: Queue;
  stepJob: JobDefinition<{ stepId: string }>;
  metrics: TaskMetrics;
  logger: Logger;
  /** How often to look for stranded steps (BERTH_RECONCILE_INTERVAL_MS). Default 2 s. */
  intervalMs?: number;
  /** A ready step untouched for this long is assumed lost from the queue. Default 10 s. */
  staleMs?: number;
}

/**
 * The safety net under the outbox: puts back on the queue the steps that are ready but were lost
 * (the queue restarted empty) and the running ones whose worker vanished (lease expired). A step
 * delivered twice is harmless: the runner's claim lets only one run it. Every worker process runs
 * one, but a pass holds a store-wide lock, so passes of several processes do not repeat each other.
 */
export function createReconciler(options: ReconcilerOptions) {
  const { repo, queue, stepJob, metrics, logger } = options;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<number> | undefined;

  async function requeue(steps: Array<{ id: string; attempts: number }>): Promise<number> {
    const jobs = steps.map((step) => ({
      payload: { stepId: step.id },
      options: { jobId: `reconcile-${step.id}-${step.attempts}` },
    }));
    if (queue.enqueueMany) await queue.enqueueMany(stepJob, jobs);
    else for (const job of jobs) await queue.enqueue(stepJob, job.payload, job.options);
    if (steps.length > 0) {
      metrics.reconciled.inc(steps.length);
      logger.info({ steps: steps.length }, 'reconciler put stranded steps back on the queue');
    }
    return steps.length;
  }

  const runPass = async (): Promise<number> => {
    try {
      // Another process's pass is under way: it covers this one's.
      return (await repo.withStrandedSteps(options.staleMs ?? 10_000, 500, requeue)) ?? 0;
    } catch (error) {
      logger.warn({ err: error }, 'reconciler pass failed; will retry');
      return 0;
    }
  };

  return {
    /** One pass now; resolves with how many steps went back on the queue. */
    reconcile(): Promise<number> {
      pass ??= runPass().finally(() => {
        pass = undefined;
      });
      return pass;
    },
    /**
     * At start on a store only this process uses: steps left running belong to the process that
     * died, so they are ready again at once (no lease wait).
     */
    async recoverExclusive(): Promise<number> {
      const released = await repo.releaseAllRunning();
      if (released.length > 0)
        logger.info({ steps: released.length }, 'steps interrupted by the last shutdown will run again');
      return requeue(await repo.strandedSteps(0, 10_000));
    },
    start() {
      timer = setInterval(() => void this.reconcile(), options.intervalMs ?? 2_000);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await pass;
    },
  };
}

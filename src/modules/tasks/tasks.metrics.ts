import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { QueueDepth } from '../../platform/queue/index.js';

export function createTaskMetrics(registry: Registry) {
  return {
    tasksFinished: new Counter({
      name: 'berth_tasks_finished_total',
      help: 'Tasks that reached a final status',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    tasksCreated: new Counter({
      name: 'berth_tasks_created_total',
      help: 'Tasks accepted, by planner',
      labelNames: ['planner'] as const,
      registers: [registry],
    }),
    stepOutcomes: new Counter({
      name: 'berth_steps_total',
      help: 'Step attempts by tool and outcome (completed, retrying, failed, fenced, cancelled)',
      labelNames: ['tool', 'outcome'] as const,
      registers: [registry],
    }),
    stepDuration: new Histogram({
      name: 'berth_step_duration_seconds',
      help: 'Step run time by tool',
      labelNames: ['tool'] as const,
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
    reconciled: new Counter({
      name: 'berth_reconciler_requeued_total',
      help: 'Steps the reconciler put back on the queue (stranded ready steps, expired leases)',
      registers: [registry],
    }),
  };
}
export type TaskMetrics = ReturnType<typeof createTaskMetrics>;

/**
 * Queue depth and the oldest wait, read when Prometheus scrapes (the numbers KEDA and HPA scale on).
 * A failed read (Redis down or slower than the queue's timeout) must not fail the scrape: that
 * scrape leaves the two depth gauges out rather than repeat numbers nobody read, sets
 * `berth_queue_up` to 0 and counts the failure in `berth_queue_depth_read_errors_total`.
 */
export function registerQueueGauges(registry: Registry, queueName: string, depth: () => Promise<QueueDepth>) {
  const labels = { queue: queueName };
  let last: Promise<QueueDepth | undefined> | undefined;
  const readErrors: Counter<'queue'> = new Counter({
    name: 'berth_queue_depth_read_errors_total',
    help: 'Scrapes whose read of the queue depth failed (Redis down or too slow); those leave berth_queue_depth and berth_queue_oldest_wait_seconds out',
    labelNames: ['queue'] as const,
    registers: [registry],
    // Counted by the read of this scrape, so the scrape that fails already shows it.
    async collect() {
      await read();
    },
  });
  readErrors.inc(labels, 0);
  // All three gauges are collected in one scrape; read the queue once for them.
  const read = () => {
    last ??= depth()
      .catch(() => {
        readErrors.inc(labels);
        return undefined;
      })
      .finally(() => setTimeout(() => (last = undefined), 100).unref());
    return last;
  };
  new Gauge({
    name: 'berth_queue_up',
    help: '1 when this scrape read the queue depth, 0 when the read failed',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      this.set(labels, (await read()) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'berth_queue_depth',
    help: 'Jobs in the queue by state',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      const d = await read();
      this.reset();
      if (!d) return;
      for (const state of ['waiting', 'active', 'delayed', 'failed'] as const)
        this.set({ ...labels, state }, d[state]);
    },
  });
  new Gauge({
    name: 'berth_queue_oldest_wait_seconds',
    help: 'Age of the oldest waiting job (0 when none waits)',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      const d = await read();
      this.reset();
      if (d) this.set(labels, (d.oldestWaitingMs ?? 0) / 1000);
    },
  });
}

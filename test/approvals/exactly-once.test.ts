import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApprovalsModule } from '../../src/modules/approvals/index.js';
import type { TasksModule } from '../../src/modules/tasks/index.js';
import type { SideEffectFaultPoint } from '../../src/modules/tasks/side-effect-step.js';
import { createHttpPostTool } from '../../src/modules/tools/index.js';
import {
  startWebhookReceiver,
  type WebhookReceiver,
} from '../../src/modules/tools/testdata/webhook-receiver.js';
import { openPostgresStore, queryRows, type Store } from '../../src/platform/db/index.js';
import { createEventBus } from '../../src/platform/events/index.js';
import { createInProcessQueue, type Queue } from '../../src/platform/queue/index.js';
import { createLogger, createMetricsRegistry } from '../../src/platform/telemetry/index.js';
import { createTestDatabase, postgresSkipReason } from '../support/services.js';
import { createTestTasksModule } from '../support/tasks-module.js';

const CHILD = fileURLToPath(new URL('./kill-worker.child.ts', import.meta.url));
const skip = await postgresSkipReason();
const operator = { tenantId: 'default', userId: 'boss', role: 'operator', via: 'key' as const };

async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(skip)(
  `a worker killed between sending a side effect and recording it${skip ? ` — skipped: ${skip}` : ''}`,
  () => {
    let hook: WebhookReceiver;
    let database: Awaited<ReturnType<typeof createTestDatabase>>;
    let store: Store;
    beforeAll(async () => {
      hook = await startWebhookReceiver();
      database = await createTestDatabase();
      store = await openPostgresStore({ url: database.url });
      await store.migrate();
    });
    afterAll(async () => {
      await store?.close();
      await database?.drop();
      await hook?.close();
    });

    /** The survivor: the same module in this process, which takes the step over once the dead worker's lease lapses. */
    function survivor(queue: Queue): TasksModule {
      return createTestTasksModule(
        store,
        queue,
        [createHttpPostTool({ allow: [`127.0.0.1:${hook.port}`] })],
        {
          leaseMs: 1_000,
          maxStepAttempts: 3,
          reconcileIntervalMs: 200,
          staleReadyMs: 500,
        },
      );
    }

    async function runKilledAt(point: SideEffectFaultPoint, path: string) {
      const queue = createInProcessQueue();
      const tasks = survivor(queue);
      const approvals = createApprovalsModule({
        db: store.db,
        config: { expiresAfterMs: 60_000, requireSecondPerson: false, sweepIntervalMs: 60_000 },
        gate: tasks.approvalGate,
        bus: createEventBus(),
        metrics: createMetricsRegistry(),
        logger: createLogger('silent'),
      });
      const { task } = await tasks.service.createPlanned(
        { tenantId: 'default', userId: 'local', description: `post to ${path}`, requestId: `req-${path}` },
        {
          planner: 'explicit',
          steps: [
            {
              key: 'post',
              tool: 'http_post',
              input: { url: `${hook.origin}${path}`, body: { path } },
              dependsOn: [],
            },
          ],
        },
      );
      const child: ChildProcess = spawn(
        process.execPath,
        ['--import', 'tsx', CHILD, database.url, point, `127.0.0.1:${hook.port}`],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const exited = once(child, 'exit');
      try {
        const approvalId = await until('the approval', async () => {
          const rows = await queryRows<{ id: string }>(
            store.db,
            sql`SELECT id FROM approvals WHERE task_id = ${task.id}`,
          );
          return rows[0]?.id;
        });
        await approvals.service.approve(operator, approvalId);
        const [, signal] = await exited;
        expect(signal).toBe('SIGKILL');
      } finally {
        child.kill('SIGKILL');
      }
      const sent = hook.deliveries.filter((d) => d.path === path);
      expect(sent).toHaveLength(1);
      const [killed] = await queryRows<{ status: string }>(
        store.db,
        sql`SELECT status FROM steps WHERE task_id = ${task.id}`,
      );
      expect(killed?.status).toBe('running');

      tasks.startRelay();
      await tasks.startWorker();
      try {
        await until('the task to finish', async () => {
          const rows = await queryRows<{ status: string }>(
            store.db,
            sql`SELECT status FROM tasks WHERE id = ${task.id}`,
          );
          return rows[0]?.status === 'completed' || rows[0]?.status === 'failed' ? rows[0].status : undefined;
        });
        const [done] = await queryRows<{ status: string; attempts: number; effects: number }>(
          store.db,
          sql`SELECT t.status, s.attempts, (SELECT count(*)::int FROM step_effects e WHERE e.step_id = s.id) AS effects
            FROM tasks t JOIN steps s ON s.task_id = t.id WHERE t.id = ${task.id}`,
        );
        return { done, deliveries: hook.deliveries.filter((d) => d.path === path), taskId: task.id };
      } finally {
        await tasks.stop();
        await queue.close(1_000);
      }
    }

    it('sends once when the kill comes after the ledger write: the next worker returns the recorded output', async () => {
      const { done, deliveries } = await runKilledAt('effect_recorded', '/after-ledger');
      expect(done).toEqual({ status: 'completed', attempts: 2, effects: 1 });
      expect(deliveries).toHaveLength(1);
    }, 60_000);

    it('sends again with the same Idempotency-Key when the kill comes before the ledger write (the receiver must deduplicate)', async () => {
      const { done, deliveries, taskId } = await runKilledAt('tool_returned', '/before-ledger');
      expect(done).toEqual({ status: 'completed', attempts: 2, effects: 1 });
      expect(deliveries).toHaveLength(2);
      const keys = new Set(deliveries.map((d) => d.headers['idempotency-key']));
      expect(keys.size).toBe(1);
      expect([...keys][0]).toMatch(new RegExp(`^${taskId}:post:[0-9a-f]{64}$`));
    }, 60_000);
  },
);

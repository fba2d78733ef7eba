// A worker process for exactly-once.test.ts: the real tasks module on the test's Postgres, with
// http_post, that SIGKILLs itself at the fault point named on its command line — between sending a
// side effect and recording its step, as a crash would.
import { createHttpPostTool } from '../../src/modules/tools/index.js';
import { openPostgresStore } from '../../src/platform/db/index.js';
import { createInProcessQueue } from '../../src/platform/queue/index.js';
import { createTestTasksModule } from '../support/tasks-module.js';

const [databaseUrl, faultPoint, allow] = process.argv.slice(2);
if (!databaseUrl || !faultPoint || !allow)
  throw new Error('usage: kill-worker.child.ts <db url> <fault point> <host:port>');
const store = await openPostgresStore({ url: databaseUrl });
const tasks = createTestTasksModule(store, createInProcessQueue(), [createHttpPostTool({ allow: [allow] })], {
  leaseMs: 1_000,
  maxStepAttempts: 3,
  // Steps made ready in the test's process were relayed onto that process's own queue: this worker
  // finds them as a worker finds steps lost from the queue, through its reconciler.
  reconcileIntervalMs: 200,
  staleReadyMs: 300,
  sideEffects: {
    expiresAfterMs: 60_000,
    fourEyes: false,
    onFault: (point) => {
      if (point === faultPoint) process.kill(process.pid, 'SIGKILL');
    },
  },
});
tasks.startRelay();
await tasks.startWorker();
// The module's timers are unref'd (a server holds the process open); this worker has no server.
setInterval(() => {}, 60_000);
process.stdout.write('ready\n');

// One worker process of the distributed benchmark: consumes step jobs until SIGTERM.
import { openNoopTasks } from './noop-tasks.js';

const [databaseUrl = '', redisUrl = '', prefix = 'bench', concurrency = '8'] = process.argv.slice(2);
const worker = await openNoopTasks({ databaseUrl, redisUrl, prefix, concurrency: Number(concurrency) });
worker.tasks.startRelay();
await worker.tasks.startWorker();
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void worker.close().then(() => process.exit(0));
});

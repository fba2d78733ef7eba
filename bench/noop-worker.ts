// One worker process of the distributed benchmark: consumes step jobs until SIGTERM. Each line
// "stats" on its stdin is answered with "stats <json>" (bench/call-counter.ts: CPU, SQL, Redis).
import { createInterface } from 'node:readline';
import { callCounts, installCallCounter } from './call-counter.js';
import { openNoopTasks } from './noop-tasks.js';

installCallCounter();
const [databaseUrl = '', redisUrl = '', prefix = 'bench', concurrency = '8'] = process.argv.slice(2);
const worker = await openNoopTasks({
  databaseUrl,
  redisUrl,
  prefix,
  concurrency: Number(concurrency),
  publishOnly: true,
  relayPollMs: 5_000,
});
worker.tasks.startRelay();
await worker.tasks.startWorker();
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'stats') process.stdout.write(`stats ${JSON.stringify(callCounts())}\n`);
});
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void worker.close().then(() => process.exit(0));
});

import { benchTasks } from './tasks-bench.js';

console.log(
  await benchTasks({
    tasks: Number(process.env.BENCH_TASKS ?? 300),
    latencyTasks: 50,
    concurrency: 4,
    seconds: 3,
  }),
);

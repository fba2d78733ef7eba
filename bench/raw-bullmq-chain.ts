// The ceiling: raw BullMQ on the same Redis running the same three-job chain with no-op handlers.
import { Queue, Worker } from 'bullmq';

export async function rawChain(options: {
  redisUrl: string;
  prefix: string;
  chains: number;
  concurrency: number;
  ratePerSecond?: number;
}) {
  const connection = { url: options.redisUrl, maxRetriesPerRequest: null };
  const queue = new Queue('chain', { connection, prefix: options.prefix });
  const latencies: number[] = [];
  let done = 0;
  let resolveAll: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    resolveAll = resolve;
  });
  const worker = new Worker(
    'chain',
    async (job) => {
      latencies.push((job.processedOn ?? Date.now()) - job.timestamp);
      const step = job.data.step as number;
      if (step < 3) await queue.add('chain', { step: step + 1 }, { removeOnComplete: true });
      else if (++done === options.chains) resolveAll();
    },
    { connection, prefix: options.prefix, concurrency: options.concurrency },
  );
  await worker.waitUntilReady();
  const started = performance.now();
  const gapMs = options.ratePerSecond ? 1000 / options.ratePerSecond : 0;
  for (let i = 0; i < options.chains; i++) {
    await queue.add('chain', { step: 1 }, { removeOnComplete: true });
    if (gapMs) await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  await all;
  const seconds = (performance.now() - started) / 1000;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return { chainsPerSecond: options.chains / seconds, latencies };
}

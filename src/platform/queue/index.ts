export { type BullmqQueueOptions, createBullmqQueue } from './bullmq-queue.js';
export { createInProcessQueue, type InProcessQueueOptions } from './in-process-queue.js';
export { outbox } from './outbox.tables.js';
export { createOutboxRelay, type OutboxRelay, type OutboxRelayOptions } from './outbox-relay.js';
export {
  type BulkJob,
  type ConsumeOptions,
  type Consumer,
  type EnqueueOptions,
  type Job,
  type JobDefinition,
  type JobHandler,
  PermanentJobError,
  type Queue,
  type QueueDepth,
} from './queue.js';
export { checkRedisPosture } from './redis-posture.js';
export { retryDelayMs } from './retry-delay.js';

export { createBullmqQueue } from './bullmq-queue.js';
export { createInProcessQueue } from './in-process-queue.js';
export { outbox } from './outbox.tables.js';
export { createOutboxRelay } from './outbox-relay.js';
export type { Consumer, JobDefinition, Queue, QueueDepth } from './queue.js';
export { checkRedisPosture } from './redis-posture.js';
export { retryDelayMs } from './retry-delay.js';

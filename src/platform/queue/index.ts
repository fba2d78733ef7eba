export { createInProcessQueue, type InProcessQueueOptions } from './in-process-queue.js';
export { createOutboxRelay, type OutboxRelay, type OutboxRelayOptions } from './outbox-relay.js';
export {
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

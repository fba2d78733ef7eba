import { z } from 'zod';
import type { JobDefinition } from '../../platform/queue/index.js';
import { STEP_JOB } from './outbox-rows.js';

/** The one job of the tasks feature: run a step. The payload is its id; the store has the rest. */
export const stepJob: JobDefinition<{ stepId: string }> = {
  name: STEP_JOB,
  payload: z.object({ stepId: z.uuid() }),
  // Tool failures are retried by the runner (recorded in the store); these retries cover store outages.
  attempts: 5,
  backoffMs: 1_000,
  // Longest built-in tool timeout plus room to record the result.
  timeoutMs: 150_000,
};

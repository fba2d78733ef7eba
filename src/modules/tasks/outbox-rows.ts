import { captureTraceContext } from '../../platform/telemetry/index.js';

/** The job that runs a step; its outbox rows carry only the step id. */
export const STEP_JOB = 'step.run';

/**
 * Outbox rows that put these steps on the queue (no earlier than `availableAt`), with the trace
 * context of the work writing them (the POST of the task, the step whose result made them ready).
 */
export const jobRows = (stepIds: string[], availableAt?: Date) => {
  const traceContext = captureTraceContext() ?? null;
  return stepIds.map((stepId) => ({
    jobName: STEP_JOB,
    payload: { stepId },
    traceContext,
    ...(availableAt ? { availableAt } : {}),
  }));
};

/** The trace context of the work writing outbox rows in SQL, as a jsonb parameter. */
export const traceContextJson = (): string | null => {
  const carrier = captureTraceContext();
  return carrier ? JSON.stringify(carrier) : null;
};

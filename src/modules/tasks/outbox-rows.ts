/** The job that runs a step; its outbox rows carry only the step id. */
export const STEP_JOB = 'step.run';

/** Outbox rows that put these steps on the queue (no earlier than `availableAt`). */
export const jobRows = (stepIds: string[], availableAt?: Date) =>
  stepIds.map((stepId) => ({
    jobName: STEP_JOB,
    payload: { stepId },
    ...(availableAt ? { availableAt } : {}),
  }));

import { z } from 'zod';
import { flag, httpUrl, positiveInt } from '../../platform/config/index.js';

/** The `approvals` section of berth.yaml: how long a request waits, who may decide it, who hears of it. */
export const approvalsSection = z
  .strictObject({
    /** A pending approval expires this long after it was requested, failing its step. Default 24 h. */
    expiresAfterMs: positiveInt.default(86_400_000),
    /** The approver must be another person than the user the task runs for. Default false. */
    requireSecondPerson: flag.default(false),
    /** Where approval.requested and approval.decided are POSTed as JSON (through the webhook guard). Default none. */
    notifyUrl: httpUrl.optional(),
    /** How often the worker marks approvals past their expiry as expired. Default 5 s. */
    sweepIntervalMs: positiveInt.default(5_000),
  })
  .prefault({});

export type ApprovalsConfig = z.output<typeof approvalsSection>;

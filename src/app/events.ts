import type { ApprovalEvent } from '../modules/approvals/index.js';
import type { AuditEvent } from '../modules/audit/index.js';
import type { BudgetEvent } from '../modules/budgets/index.js';
import type { ChatEvent } from '../modules/chat/index.js';
import type { GatewayEvent } from '../modules/gateway/index.js';
import type { IdentityEvent } from '../modules/identity/index.js';
import type { TaskEvent } from '../modules/tasks/index.js';
import { createEventBus, type EventBus } from '../platform/events/index.js';
import type { Logger } from '../platform/telemetry/index.js';

/** Every fact on this process's lifecycle bus: the union of each feature's own events. */
export type BerthEvent =
  | TaskEvent
  | ApprovalEvent
  | BudgetEvent
  | AuditEvent
  | IdentityEvent
  | ChatEvent
  | GatewayEvent;

export const createLifecycleBus = (logger: Logger): EventBus<BerthEvent> =>
  createEventBus<BerthEvent>({
    onError: (error, event) =>
      logger.error({ err: error, event: event.type }, 'a lifecycle event subscriber failed'),
  });

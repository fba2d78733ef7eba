import type { Listener, Publisher } from '../../platform/events/index.js';
import type { ResponseFact } from '../../platform/http/index.js';
import type { Logger } from '../../platform/telemetry/index.js';
import { auditEntryOf, type LifecycleFact } from './audit-events.js';
import type { AuditLog } from './audit-log.js';
import { type EdgeEvent, edgeEventOf } from './edge-events.js';
import type { GuardrailRule } from './guardrails.js';

/** Published where a refusal happens that no other event records. */
export type GuardrailBlocked = {
  type: 'guardrail.blocked';
  tenant_id: string;
  blocked_by_rule: GuardrailRule;
  user_id?: string;
  key_id?: string;
  request_id?: string;
  code?: string;
};

/** The audit module's own facts on the lifecycle bus. */
export type AuditEvent = EdgeEvent | GuardrailBlocked;

export interface AuditTrailDeps {
  events: { subscribeAll(listener: Listener<LifecycleFact>): () => void };
  log: AuditLog;
  /** Counts a refusal (berth_guardrail_blocks_total). */
  countBlock(rule: GuardrailRule): void;
  now?: () => Date;
}

/**
 * The one subscriber that turns lifecycle events into audit rows, and counts each refusal as it
 * does: the counter and the audit row come from the same event, so a fact is counted once.
 * Returns the function that unsubscribes.
 */
export function subscribeAuditTrail(deps: AuditTrailDeps): () => void {
  const now = deps.now ?? (() => new Date());
  return deps.events.subscribeAll((event) => {
    const { entry, rule } = auditEntryOf(event, now());
    if (rule) deps.countBlock(rule);
    return deps.log.append(entry);
  });
}

/** The HTTP edge's listener: publishes each write and denial as an event (audit subscribes like anyone). */
export function edgePublisher(bus: Publisher<EdgeEvent>, logger: Logger) {
  return (fact: ResponseFact) => {
    try {
      const event = edgeEventOf(fact);
      if (event) bus.publish(event);
    } catch (error) {
      logger.error({ err: error }, 'could not record a request in the audit trail');
    }
  };
}

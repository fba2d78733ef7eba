import { Counter, type Registry } from 'prom-client';

/** Every guardrail whose refusals are counted and audited (`blocked_by_rule`). */
export const guardrailRules = [
  'ssrf',
  'webhook_allow',
  'approval_rejected',
  'approval_expired',
  'budget',
  'rate_limit',
  'forbidden',
  'oversized_input',
] as const;
export type GuardrailRule = (typeof guardrailRules)[number];

const isRule = (value: unknown): value is GuardrailRule =>
  typeof value === 'string' && (guardrailRules as readonly string[]).includes(value);

/**
 * A failed step's error codes that are refusals. `budget_exhausted` is not here: the budgets module
 * publishes `budget.exhausted` (with `blocked_by_rule: 'budget'`) for the same refusal, and a fact
 * is counted once.
 */
const stepRefusals: Record<string, GuardrailRule> = {
  ssrf_blocked: 'ssrf',
  // http_post's allow list (BERTH_WEBHOOK_ALLOW): a rule of its own, since the fix is another setting than SSRF's.
  webhook_not_allowed: 'webhook_allow',
  approval_rejected: 'approval_rejected',
  approval_expired: 'approval_expired',
};

/** The guardrail a tool's error code is a refusal of (chat's tool loop publishes `guardrail.blocked` with it). */
export const toolRefusalRule = (code: string): GuardrailRule | undefined =>
  Object.hasOwn(stepRefusals, code) ? stepRefusals[code] : undefined;

/**
 * The guardrail an event records a refusal of, if any: the event's own `blocked_by_rule` (the
 * HTTP edge's `access.denied`, `budget.exhausted`, `guardrail.blocked`), or, for a failed step, its
 * error code. One event, one refusal: this is the only place that decides, for the counter and the
 * audit row alike.
 */
export function guardrailRule(fact: { type: string }): GuardrailRule | undefined {
  const event: Record<string, unknown> = Object.fromEntries(Object.entries(fact));
  if (event.blocked_by_rule !== undefined)
    return isRule(event.blocked_by_rule) ? event.blocked_by_rule : undefined;
  if (event.type !== 'step.failed') return undefined;
  const code = (event.error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? toolRefusalRule(code) : undefined;
}

/** berth_guardrail_blocks_total{rule}, every rule at 0 from the start (so a rate can be taken at once). */
export function createGuardrailCounter(registry: Registry) {
  const counter = new Counter({
    name: 'berth_guardrail_blocks_total',
    help: 'Requests, steps and chat tool calls a guardrail refused, by rule (ssrf, webhook_allow, approval_rejected, approval_expired, budget, rate_limit, forbidden, oversized_input)',
    labelNames: ['rule'] as const,
    registers: [registry],
  });
  for (const rule of guardrailRules) counter.inc({ rule }, 0);
  return (rule: GuardrailRule) => counter.inc({ rule });
}

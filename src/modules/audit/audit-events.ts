import { scrubText } from '../../platform/telemetry/index.js';
import type { AuditEntry } from './audit.repository.js';
import { type GuardrailRule, guardrailRule } from './guardrails.js';

/** Any lifecycle event: a dotted `type` and the tenant, plus the conventional fields where they apply. */
export interface LifecycleFact {
  type: string;
  tenant_id: string;
}
/** An event's fields by name (every event is a plain object of them). */
const fieldsOf = (event: LifecycleFact): Record<string, unknown> => Object.fromEntries(Object.entries(event));

/** Fields with a column of their own (the event conventions). */
const COLUMNS = new Set([
  'type',
  'tenant_id',
  'user_id',
  'key_id',
  'request_id',
  'agent_version',
  'args_hash',
  'blocked_by_rule',
  'config_version',
  'resource_type',
  'resource_id',
]);
/** What may hold message text, prompts, tool input or output, or a person's words: never audited. */
const CONTENT = new Set([
  'result',
  'message',
  'messages',
  'content',
  'prompt',
  'input',
  'output',
  'text',
  'description',
  'reason',
  'arguments',
  'args',
  'body',
  'error',
]);
/** The resource an event is about: the most specific id it carries. */
const RESOURCES = [
  ['approval_id', 'approval'],
  ['step_id', 'step'],
  ['task_id', 'task'],
  ['conversation_id', 'conversation'],
] as const;

const MAX_DETAIL_CHARS = 200;
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function resourceOf(fact: LifecycleFact): { type: string | null; id: string | null } {
  const event = fieldsOf(fact);
  if (typeof event.resource_type === 'string')
    return { type: event.resource_type, id: str(event.resource_id) };
  for (const [field, type] of RESOURCES) {
    if (typeof event[field] === 'string') return { type, id: event[field] };
  }
  return { type: null, id: null };
}

/** Short scalars only (ids, names, counts, statuses), scrubbed; a failed step keeps its error code, not its message. */
function detailsOf(fact: LifecycleFact, resourceField: string | undefined): Record<string, unknown> | null {
  const event = fieldsOf(fact);
  const details: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (COLUMNS.has(key) || CONTENT.has(key) || key === resourceField) continue;
    if (typeof value === 'number' || typeof value === 'boolean') details[key] = value;
    else if (typeof value === 'string') details[key] = scrubText(value).slice(0, MAX_DETAIL_CHARS);
  }
  const code = (event.error as { code?: unknown } | null | undefined)?.code;
  if (typeof code === 'string') details.error_code = code;
  return Object.keys(details).length > 0 ? details : null;
}

function outcomeOf(event: LifecycleFact, rule: GuardrailRule | undefined): AuditEntry['outcome'] {
  if (rule) return 'blocked';
  return event.type === 'access.denied' ? 'denied' : 'ok';
}

/** The audit row of a lifecycle event, and the guardrail it records a refusal of, if any. */
export function auditEntryOf(fact: LifecycleFact, at: Date): { entry: AuditEntry; rule?: GuardrailRule } {
  const event = fieldsOf(fact);
  const rule = guardrailRule(fact);
  const resource = resourceOf(fact);
  const resourceField = RESOURCES.find(([, type]) => type === resource.type)?.[0];
  return {
    rule,
    entry: {
      tenantId: fact.tenant_id,
      at,
      action: fact.type,
      outcome: outcomeOf(fact, rule),
      blockedByRule: rule ?? null,
      actorUser: str(event.user_id),
      actorKey: str(event.key_id),
      resourceType: resource.type,
      resourceId: resource.id,
      requestId: str(event.request_id),
      agentVersion: str(event.agent_version),
      configVersion: str(event.config_version),
      argsHash: str(event.args_hash),
      details: detailsOf(fact, resourceField),
    },
  };
}

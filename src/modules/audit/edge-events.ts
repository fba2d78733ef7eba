import type { ResponseFact } from '../../platform/http/index.js';
import { DEFAULT_TENANT, SYSTEM_ROLE } from '../identity/index.js';
import type { GuardrailRule } from './guardrails.js';

/** What the HTTP edge publishes: every write, and every denial, once each. */
export type EdgeEvent = {
  type: 'http.write' | 'access.denied';
  tenant_id: string;
  user_id?: string;
  key_id?: string;
  request_id: string;
  method: string;
  route: string;
  status: number;
  code?: string;
  blocked_by_rule?: GuardrailRule;
};

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const DENIALS = new Set([403, 404, 413, 429]);

/**
 * The guardrail behind a refusal at the edge. A 429 `budget_exhausted` is not one here: the budgets
 * module publishes `budget.exhausted` for it, and a refusal is counted once.
 */
function ruleOf(fact: ResponseFact): GuardrailRule | undefined {
  if (fact.oversized) return 'oversized_input';
  if (fact.status === 403) return 'forbidden';
  if (fact.code === 'rate_limited') return 'rate_limit';
  return undefined;
}

/**
 * The edge event of an answered request, if it is a write or a denial. A 404 cannot tell "absent"
 * from "not yours" (existence is not revealed), so every 404 of a matched route is a denial; requests
 * no route matched (scanners) are not recorded, nor are requests with no credential proven (a 401):
 * they belong to no tenant, and a flood of wrong keys must cost no store write (they are counted by
 * status in the HTTP metrics). The CLI's local operator is filed in the default tenant's chain.
 */
export function edgeEventOf(fact: ResponseFact): EdgeEvent | undefined {
  if (fact.route === undefined || !fact.actor) return undefined;
  const rule = ruleOf(fact);
  const denied = DENIALS.has(fact.status) || rule !== undefined;
  if (!denied && READS.has(fact.method)) return undefined;
  const actor = fact.actor;
  return {
    type: denied ? 'access.denied' : 'http.write',
    tenant_id: actor.role === SYSTEM_ROLE ? DEFAULT_TENANT : actor.tenantId,
    user_id: actor.userId,
    ...(actor.keyId ? { key_id: actor.keyId } : {}),
    request_id: fact.requestId,
    method: fact.method,
    route: fact.route,
    status: fact.status,
    ...(fact.code ? { code: fact.code } : {}),
    ...(rule ? { blocked_by_rule: rule } : {}),
  };
}

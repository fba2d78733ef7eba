import type { Publisher } from '../../platform/events/index.js';
import type { GuardrailBlocked, GuardrailRule } from '../audit/index.js';

/** Who a model run was for: every chat event carries it. */
interface RunFacts {
  tenant_id: string;
  user_id: string;
  key_id?: string;
  request_id: string;
  agent: string;
  agent_version: string;
}

/** The chat module's facts on the lifecycle bus. Never message text, tool input or output. */
export type ChatEvent =
  /** One committed turn (its messages are stored): what it spent, and how many actions it proposed. */
  | (RunFacts & {
      type: 'chat.turn';
      conversation_id: string;
      model: string;
      input_tokens: number;
      output_tokens: number;
      cost_usd: number;
      approvals_requested: number;
    })
  /** A tool call of a model run that a guardrail refused (the audit trail counts it by rule). */
  | (GuardrailBlocked &
      RunFacts & { conversation_id?: string; tool: string; code: string; blocked_by_rule: GuardrailRule });

export type ChatPublisher = Publisher<ChatEvent>;

/** The session hook that publishes a refused tool call as `guardrail.blocked`. */
export const refusalPublisher =
  (events: ChatPublisher | undefined, facts: RunFacts & { conversation_id?: string }) =>
  (refusal: { tool: string; code: string; rule: GuardrailRule }) =>
    events?.publish({
      type: 'guardrail.blocked',
      ...facts,
      tool: refusal.tool,
      code: refusal.code,
      blocked_by_rule: refusal.rule,
    });

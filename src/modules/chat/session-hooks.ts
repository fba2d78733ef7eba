import type { Actor } from '../../platform/http/index.js';
import type { ProposeAction } from './action-proposals.js';
import { type ChatPublisher, refusalPublisher } from './chat-events.js';
import type { SessionHooks } from './tool-session.js';

/** One model run of chat, infer or /v1: who it is for, where from. */
export interface RunOwner {
  actor: Actor;
  tenantId: string;
  userId: string;
  agent: { name: string; version: string };
  requestId: string;
  conversationId?: string;
  /** Named in a proposed task's description: chat, infer. */
  origin: string;
}

/** The facts every chat event of a run carries (never text). */
export const runFacts = (run: RunOwner) => ({
  tenant_id: run.tenantId,
  user_id: run.userId,
  ...(run.actor.keyId ? { key_id: run.actor.keyId } : {}),
  request_id: run.requestId,
  agent: run.agent.name,
  agent_version: run.agent.version,
  ...(run.conversationId ? { conversation_id: run.conversationId } : {}),
});

/**
 * A run's tool-session hooks: refused calls go on the bus as guardrail.blocked, and, when a
 * proposer is given, side-effecting calls become tasks waiting for approval (else they are not offered).
 */
export function sessionHooks(
  deps: { events?: ChatPublisher; propose?: ProposeAction },
  run: RunOwner,
): SessionHooks {
  const onRefused = refusalPublisher(deps.events, runFacts(run));
  const { propose } = deps;
  if (!propose) return { onRefused };
  const who = { actor: run.actor, tenantId: run.tenantId, userId: run.userId, agent: run.agent.name };
  return {
    onRefused,
    propose: (tool, input, signal) =>
      propose({ ...who, requestId: run.requestId, tool, input, origin: run.origin }, signal),
  };
}

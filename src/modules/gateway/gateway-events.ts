/**
 * One gateway call, published once when it ends (answered, refused by a budget, failed at the
 * provider). No prompt, answer or tool argument: counts, names and the outcome only; prompts go on
 * trace spans when the operator turns BERTH_TRACE_CONTENT on.
 */
export type GatewayEvent = {
  type: 'gateway.call';
  tenant_id: string;
  user_id: string;
  key_id?: string;
  request_id: string;
  /** The model route or passthrough agent named by `model`. */
  agent: string;
  /** A passthrough agent's version. */
  agent_version?: string;
  mode: 'route' | 'passthrough';
  operation: 'chat' | 'embeddings';
  provider: string;
  /** The provider's model id. */
  provider_model: string;
  stream: boolean;
  /** Tools the client offered, tool calls the model made. */
  tools: number;
  tool_calls: number;
  response_format: 'text' | 'json_object' | 'json_schema';
  finish_reason?: string;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  duration_ms: number;
  status: 'ok' | 'failed';
  error_code?: string;
};

/** The fields every gateway.call has from who called what; the call adds what happened. */
export function callEventBase(
  caller: { tenantId: string; userId: string; keyId?: string; requestId: string },
  target: {
    name: string;
    mode: 'route' | 'passthrough';
    agentVersion?: string;
    ref: { provider: string; model: string };
  },
) {
  return {
    type: 'gateway.call' as const,
    tenant_id: caller.tenantId,
    user_id: caller.userId,
    ...(caller.keyId ? { key_id: caller.keyId } : {}),
    request_id: caller.requestId,
    agent: target.name,
    ...(target.agentVersion ? { agent_version: target.agentVersion } : {}),
    mode: target.mode,
    provider: target.ref.provider,
    provider_model: target.ref.model,
  };
}

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

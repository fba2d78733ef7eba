import { z } from 'zod';
import { positiveInt, providerNames } from '../../platform/config/index.js';

// What clients put in `model`: OpenAI's ids (gpt-4.1-mini), namespaced ones (local/llama3.2), tags (llama3.2:3b).
const routeName = z
  .string()
  .regex(
    /^[a-zA-Z0-9][a-zA-Z0-9_.:/-]{0,127}$/,
    'letters, digits, ".", "_", ":", "/" or "-", at most 128, no leading symbol',
  );

const gatewayProviders = providerNames.filter((name) => name !== 'offline') as [
  Exclude<(typeof providerNames)[number], 'offline'>,
  ...Array<Exclude<(typeof providerNames)[number], 'offline'>>,
];

/** One model route: a `model` name clients may send to /v1, forwarded to a provider's model. */
export const modelRouteSchema = z.strictObject({
  /** The name clients send as `model`. */
  model: routeName,
  /** The provider that answers; the offline model cannot (it honours neither tools nor formats). */
  provider: z.enum(gatewayProviders),
  /** The provider's own model id; default: `model`. */
  target: z.string().min(1).max(200).optional(),
  /** `chat` (/v1/chat/completions, the default) or `embedding` (/v1/embeddings). */
  type: z.enum(['chat', 'embedding']).default('chat'),
  /** The tenants whose keys may use it; default: every tenant. */
  tenants: z.array(z.string().min(1)).min(1).optional(),
  /** Output cap of a request that sets none, and the most one may ask for (budgets reserve it). Default 4096. */
  maxOutputTokens: positiveInt.max(200_000).default(4096),
  description: z.string().max(500).optional(),
});
export type ModelRouteConfig = z.output<typeof modelRouteSchema>;

/** The `gateway` section: model routes for OpenAI-compatible clients, names unique. */
export const gatewaySection = z
  .strictObject({
    routes: z.array(modelRouteSchema).default([]),
  })
  .default({ routes: [] })
  .superRefine((gateway, ctx) => {
    const seen = new Set<string>();
    gateway.routes.forEach((route, index) => {
      if (seen.has(route.model))
        ctx.addIssue({
          code: 'custom',
          path: ['routes', index, 'model'],
          message: `"${route.model}" is declared twice`,
        });
      seen.add(route.model);
    });
  });
export type GatewayConfig = z.output<typeof gatewaySection>;

interface AgentLike {
  name: string;
  provider?: string;
  tools: readonly string[];
  passthrough?: boolean;
}

/**
 * Checks across sections: a route may not share an agent's name (`model` would be ambiguous), and a
 * passthrough agent has no tools of its own (they would never run) and a real provider.
 */
export function gatewayConfigIssues(
  gateway: GatewayConfig,
  agents: readonly AgentLike[],
  defaultProvider: string,
): Array<{ path: Array<string | number>; message: string }> {
  const issues: Array<{ path: Array<string | number>; message: string }> = [];
  const agentNames = new Set(agents.map((agent) => agent.name));
  gateway.routes.forEach((route, index) => {
    if (agentNames.has(route.model))
      issues.push({
        path: ['gateway', 'routes', index, 'model'],
        message: `"${route.model}" is also an agent's name; clients could not tell which they call`,
      });
  });
  agents.forEach((agent, index) => {
    if (!agent.passthrough) return;
    if (agent.tools.length > 0)
      issues.push({
        path: ['agents', index, 'tools'],
        message: 'a passthrough agent forwards the client’s own tools; its own would never run',
      });
    if ((agent.provider ?? defaultProvider) === 'offline')
      issues.push({
        path: ['agents', index, 'passthrough'],
        message: 'needs a provider: the offline model honours neither tools nor response formats',
      });
  });
  return issues;
}

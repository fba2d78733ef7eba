import type { Agent, AgentCatalog } from '../agents/index.js';
import type { ModelRef } from '../llm/index.js';
import type { GatewayConfig, ModelRouteConfig } from './gateway.config.js';
import type { ModelListEntry } from './gateway.schemas.js';

/** What a `model` of a gateway request resolves to. */
export interface GatewayTarget {
  /** The name the client sent: a model route's `model` or a passthrough agent's name. */
  name: string;
  mode: 'route' | 'passthrough';
  type: 'chat' | 'embedding';
  ref: ModelRef;
  /** The default output cap and the most a request may ask for. */
  maxOutputTokens: number;
  /** A passthrough agent's temperature, the default of requests that set none. */
  temperature?: number;
  agentVersion?: string;
}

const routeTarget = (route: ModelRouteConfig): GatewayTarget => ({
  name: route.model,
  mode: 'route',
  type: route.type,
  ref: { provider: route.provider, model: route.target ?? route.model },
  maxOutputTokens: route.maxOutputTokens,
});

const agentTarget = (agent: Agent): GatewayTarget => ({
  name: agent.name,
  mode: 'passthrough',
  type: 'chat',
  ref: agent.model,
  maxOutputTokens: agent.maxOutputTokens,
  temperature: agent.temperature,
  agentVersion: agent.version,
});

const usableBy = (route: ModelRouteConfig, tenantId: string) =>
  !route.tenants || route.tenants.includes(tenantId);

/** The model routes and passthrough agents a tenant may call, by name. */
export function createTargets(config: GatewayConfig, agents: AgentCatalog) {
  const passthrough = agents.list().filter((agent) => agent.passthrough);
  return {
    /** The target named `model` for this tenant; undefined for a name that is no route or one restricted to other tenants. */
    find(model: string, tenantId: string, type: GatewayTarget['type']): GatewayTarget | undefined {
      const route = config.routes.find((r) => r.model === model && r.type === type && usableBy(r, tenantId));
      if (route) return routeTarget(route);
      const agent = type === 'chat' ? passthrough.find((a) => a.name === model) : undefined;
      return agent ? agentTarget(agent) : undefined;
    },
    /** What /v1/models lists beside the agents: the routes this tenant may use. */
    models(tenantId: string, created: number): ModelListEntry[] {
      return config.routes
        .filter((route) => usableBy(route, tenantId))
        .map((route) => ({ id: route.model, object: 'model' as const, created, owned_by: route.provider }));
    },
  };
}
export type GatewayTargets = ReturnType<typeof createTargets>;

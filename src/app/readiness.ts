import type { AgentCatalog } from '../modules/agents/index.js';
import type { LlmRegistry, ProviderCircuit, ProviderName } from '../modules/llm/index.js';
import type { Store } from '../platform/db/index.js';
import type { CheckOutcome, ReadinessCheck } from '../platform/http/index.js';

/** The store answers and every migration is applied: what every role needs. */
export function storeChecks(store: Store): ReadinessCheck[] {
  return [
    { name: 'store', check: async () => void (await store.ping()) },
    {
      name: 'migrations',
      check: async () => {
        const pending = await store.pendingMigrations();
        return pending > 0 ? `${pending} migration(s) not applied` : undefined;
      },
    },
  ];
}

// An open circuit whose pause is over lets the next call through as a trial, although cockatiel only
// moves it to half-open on that call. Counting it as open would keep a pod out of its Service forever:
// a pod that is not ready gets no request to make the trial with.
const refusesCalls = (circuit: ProviderCircuit) => circuit.state === 'open' && circuit.retryInMs > 0;

function circuitText(circuit: ProviderCircuit): string {
  if (refusesCalls(circuit))
    return `circuit open, calls refused for ${Math.ceil(circuit.retryInMs / 1000)} s`;
  if (circuit.state === 'open') return 'circuit open, the next call is a trial';
  if (circuit.state === 'half-open') return 'circuit half-open, a trial call is running';
  return 'circuit closed';
}

/**
 * One check per model provider the agents use (`llm:<provider>`), reporting its circuit breaker. An
 * open circuit is reported as degraded and the pod stays ready, since other agents may still answer;
 * only when every provider of the default agent refuses calls is the pod not ready. The offline model
 * runs in process: it has no circuit worth reporting.
 */
export function circuitChecks(llm: Pick<LlmRegistry, 'circuit'>, agents: AgentCatalog): ReadinessCheck[] {
  const users = new Map<ProviderName, string[]>();
  for (const agent of agents.list()) {
    if (agent.model.provider === 'offline') continue;
    users.set(agent.model.provider, [...(users.get(agent.model.provider) ?? []), agent.name]);
  }
  // An agent has one provider today; a list keeps the rule right once agents get fallbacks.
  const defaultProviders: ProviderName[] = [agents.get(agents.defaultName).model.provider];
  const defaultDown = () => defaultProviders.every((provider) => refusesCalls(llm.circuit(provider)));

  return [...users].map(([provider, names]) => ({
    name: `llm:${provider}`,
    check: async (): Promise<CheckOutcome> => {
      const circuit = llm.circuit(provider);
      const detail = `${circuitText(circuit)}; agents: ${names.join(', ')}`;
      if (circuit.state === 'closed') return { ok: true, detail };
      if (refusesCalls(circuit) && defaultProviders.includes(provider) && defaultDown()) {
        return {
          ok: false,
          error: `${circuitText(circuit)}: the default agent has no provider left`,
          detail,
        };
      }
      return { ok: true, degraded: true, detail };
    },
  }));
}

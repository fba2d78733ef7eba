import { type CheckResult, type ReadinessCheck, runReadinessChecks } from '../../platform/http/index.js';
import type { QueueDepth } from '../../platform/queue/index.js';
import type { AgentCatalog } from '../agents/index.js';

export interface StatusDeps {
  version: string;
  storeKind: 'pglite' | 'postgres';
  /** The same checks /readyz runs. */
  checks: ReadinessCheck[];
  queueDepth(): Promise<QueueDepth>;
  agents: AgentCatalog;
  /** The provider and model of the `llm` section (agents may override them). */
  llm: { provider: string; model?: string };
  breakerStates(): Array<{ provider: string; state: string }>;
  /** The MCP servers' states (the mcp module's statuses fit). Default none. */
  mcpServers?(): McpServerState[];
}

/** One MCP server as the status page shows it. */
export interface McpServerState {
  name: string;
  transport: 'stdio' | 'http';
  state: 'connecting' | 'ready' | 'restarting' | 'failed';
  last_error: string | null;
  tools: number;
  available: string[];
  missing: string[];
  restarts: number;
  required: boolean;
}

export interface ServiceStatus {
  version: string;
  store: { kind: string };
  ready: { status: 'ready' | 'not_ready'; checks: CheckResult[] };
  /** Null when the queue could not be read (Redis down or too slow); `queue_error` says why. */
  queue: {
    waiting: number;
    active: number;
    delayed: number;
    failed: number;
    oldest_wait_ms: number | null;
  } | null;
  queue_error?: string;
  agents: Array<{ name: string; description?: string; provider: string; model: string; version: string }>;
  /** True when the default agent answers with the built-in offline model. */
  offline_model: boolean;
  llm: { provider: string; model: string | null; breakers: Array<{ provider: string; state: string }> };
  mcp: McpServerState[];
}

/** The queue's depth, or why it could not be read: the status page reports an outage, it does not fail with it. */
async function readQueue(deps: StatusDeps): Promise<Pick<ServiceStatus, 'queue' | 'queue_error'>> {
  try {
    const depth = await deps.queueDepth();
    return {
      queue: {
        waiting: depth.waiting,
        active: depth.active,
        delayed: depth.delayed,
        failed: depth.failed,
        oldest_wait_ms: depth.oldestWaitingMs,
      },
    };
  } catch (error) {
    return { queue: null, queue_error: error instanceof Error ? error.message : String(error) };
  }
}

/** What the status page shows: readiness, queue, agents and model, gathered in one call. */
export function createStatusService(deps: StatusDeps) {
  return {
    async status(): Promise<ServiceStatus> {
      const [checks, queue] = await Promise.all([runReadinessChecks(deps.checks), readQueue(deps)]);
      const agents = deps.agents.list();
      const defaultAgent = agents.find((agent) => agent.name === deps.agents.defaultName);
      return {
        version: deps.version,
        store: { kind: deps.storeKind },
        ready: { status: checks.every((c) => c.ok) ? 'ready' : 'not_ready', checks },
        ...queue,
        agents: agents.map((agent) => ({
          name: agent.name,
          description: agent.description,
          provider: agent.model.provider,
          model: agent.model.model,
          version: agent.version,
        })),
        offline_model: defaultAgent?.model.provider === 'offline',
        llm: { provider: deps.llm.provider, model: deps.llm.model ?? null, breakers: deps.breakerStates() },
        mcp: deps.mcpServers?.() ?? [],
      };
    },
  };
}
export type StatusService = ReturnType<typeof createStatusService>;

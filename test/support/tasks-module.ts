// A tasks module over a real store and queue, for module-level tests: default config, silent logs, and an
// LLM registry with no provider configured (these tests call no model; the registry only has to exist).

import { loadConfig } from '../../src/app/config.js';
import { createAgentCatalog } from '../../src/modules/agents/index.js';
import { createLlmRegistry, type LlmOptions } from '../../src/modules/llm/index.js';
import {
  createTasksModule,
  type TasksModule,
  type TasksModuleOptions,
} from '../../src/modules/tasks/index.js';
import { ToolRegistry } from '../../src/modules/tools/index.js';
import type { Store } from '../../src/platform/db/index.js';
import type { Queue } from '../../src/platform/queue/index.js';
import { createLogger, createMetricsRegistry } from '../../src/platform/telemetry/index.js';

export const noProviders: LlmOptions = {
  providers: {
    openai: {},
    anthropic: {},
    google: {},
    ollama: { baseUrl: 'http://127.0.0.1:11434' },
    openaiCompatible: {},
  },
  timeoutMs: 1_000,
  maxRetries: 0,
  retryBaseDelayMs: 10,
  breaker: { consecutiveFailures: 5, halfOpenAfterMs: 1_000 },
};

type ModuleOptions = TasksModuleOptions;

export function createTestTasksModule(
  store: Store,
  queue: Queue,
  tools: ConstructorParameters<typeof ToolRegistry>[0],
  overrides: Partial<ModuleOptions> = {},
): TasksModule {
  const config = loadConfig({ env: {}, cwd: '/' });
  if (!config.ok) throw config.error;
  const metrics = createMetricsRegistry();
  const logger = createLogger('silent');
  const registry = new ToolRegistry(tools);
  const agents = createAgentCatalog(config.value, registry.list());
  if (!agents.ok) throw agents.error;
  return createTasksModule({
    ...{ db: store.db, queue, agents: agents.value, tools: registry, metrics, logger },
    llm: createLlmRegistry({ options: noProviders, metrics, logger }),
    ...{ workerConcurrency: 1, maxStepAttempts: 1, maxDescriptionChars: 100, exclusiveStore: false },
    reconcileIntervalMs: 60_000,
    ...overrides,
  });
}

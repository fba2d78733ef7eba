import { z } from 'zod';
import type { HttpApp } from '../../platform/http/index.js';
import type { AgentCatalog } from './agents.service.js';

const agentView = z.object({
  name: z.string(),
  description: z.string().optional(),
  provider: z.string(),
  model: z.string(),
  version: z.string(),
  history_window: z.number(),
  max_output_tokens: z.number(),
  token_budget: z.number(),
  tools: z.array(z.string()),
  max_tool_steps: z.number(),
});

export function registerAgentRoutes(app: HttpApp, catalog: AgentCatalog) {
  app.route({
    method: 'GET',
    url: '/api/agents',
    config: { permission: 'agents:read' },
    schema: { tags: ['agents'], response: { 200: z.object({ agents: z.array(agentView) }) } },
    handler: async () => ({
      agents: catalog.list().map((agent) => ({
        name: agent.name,
        description: agent.description,
        provider: agent.model.provider,
        model: agent.model.model,
        version: agent.version,
        history_window: agent.historyWindow,
        max_output_tokens: agent.maxOutputTokens,
        token_budget: agent.tokenBudget,
        tools: agent.tools,
        max_tool_steps: agent.maxToolSteps,
      })),
    }),
  });
}

export { type AgentConfig, agentSchema, agentsSection, DEFAULT_SYSTEM_PROMPT } from './agents.config.js';
export { registerAgentRoutes } from './agents.routes.js';
export {
  type Agent,
  type AgentCatalog,
  agentToolIssues,
  agentVersion,
  checkAgentTools,
  createAgentCatalog,
  type MissingTool,
  type ToolInfo,
} from './agents.service.js';

export { agentsSection } from './agents.config.js';
export { registerAgentRoutes } from './agents.routes.js';
export { type Agent, type AgentCatalog, agentToolIssues, createAgentCatalog } from './agents.service.js';

export { registerAgentRoutes } from './agents.routes.js';
export { type Agent, type AgentCatalog, agentVersion, createAgentCatalog } from './agents.service.js';

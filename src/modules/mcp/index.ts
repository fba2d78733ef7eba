export { createMcpClients, type McpClients, mcpToolInfos } from './client/mcp-clients.js';
export { mcpSecretPaths, mcpSection } from './mcp.config.js';
export { registerMcpRoutes } from './server/mcp.routes.js';

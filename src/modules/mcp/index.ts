export {
  createMcpClients,
  type McpClients,
  type McpClientsOptions,
  mcpToolInfos,
} from './client/mcp-clients.js';
export {
  type ConnectionTiming,
  McpConnection,
  type McpServerState,
  type McpServerStatus,
} from './client/mcp-connection.js';
export { type McpToolOutput, mcpToolOutput } from './client/mcp-tool.js';
export {
  type McpConfig,
  type McpServerConfig,
  mcpSecretPaths,
  mcpSection,
  mcpServerSchema,
  mcpToolRef,
} from './mcp.config.js';
export { createBerthMcpServer } from './server/berth-mcp-server.js';
export { registerMcpRoutes } from './server/mcp.routes.js';
export type { McpServerDeps } from './server/server-deps.js';

import type { CheckOutcome, ReadinessCheck } from '../../../platform/http/index.js';
import type { Logger } from '../../../platform/telemetry/index.js';
import type { LookupAll, Tool, ToolRegistry } from '../../tools/index.js';
import { type McpConfig, mcpToolRef } from '../mcp.config.js';
import { type ConnectionTiming, McpConnection, type McpServerStatus } from './mcp-connection.js';
import { createMcpTool } from './mcp-tool.js';

export interface McpClientsOptions {
  config: McpConfig;
  logger: Logger;
  /** Berth's version, sent as the client's in the MCP handshake. */
  version: string;
  timing?: Partial<ConnectionTiming>;
  lookup?: LookupAll;
}

/** The tools an MCP configuration contributes, by name, as the agent checks need them (nothing started). */
export const mcpToolInfos = (config: McpConfig) =>
  config.servers.flatMap((server) =>
    Object.entries(server.tools).map(([tool, entry]) => ({
      name: mcpToolRef(server.name, tool),
      sideEffects: entry.sideEffects,
    })),
  );

function stateText(status: McpServerStatus): string {
  const why = status.last_error ? ` (${status.last_error})` : '';
  const missing = status.missing.length ? `; not listed: ${status.missing.join(', ')}` : '';
  return `${status.state}, ${status.tools} tool(s)${missing}${why}`;
}

/**
 * Every MCP server of the configuration. Its tools are in the registry from the start under their
 * allow-listed names (so agents and plans can name them), and are swapped for the server's own
 * definitions whenever it lists its tools: after each (re)connect and each tools/list_changed.
 */
export function createMcpClients(options: McpClientsOptions) {
  const { config, logger } = options;
  let registry: ToolRegistry | undefined;
  const connections = config.servers.map((server) => {
    const connection: McpConnection = new McpConnection({
      server,
      allow: config.allow,
      logger,
      version: options.version,
      timing: options.timing,
      lookup: options.lookup,
      onListing(listing) {
        for (const tool of Object.keys(server.tools)) {
          registry?.replace(createMcpTool({ server, tool, listing: listing?.get(tool), caller: connection }));
        }
      },
    });
    return connection;
  });
  const byName = new Map(connections.map((connection) => [connection.name, connection]));

  return {
    /** The tools as they are before any server answered, for the registry's constructor. */
    tools(): Tool[] {
      return config.servers.flatMap((server) => {
        const connection = byName.get(server.name) as McpConnection;
        return Object.keys(server.tools).map((tool) => createMcpTool({ server, tool, caller: connection }));
      });
    },
    /** Connects every server, in the background: a slow or absent server never delays the start. */
    start(into: ToolRegistry): void {
      registry = into;
      for (const connection of connections) connection.start();
    },
    statuses: (): McpServerStatus[] => connections.map((connection) => connection.status()),
    /** The connection of a server, by name (tests reach its child process through it). */
    connection: (name: string) => byName.get(name),
    /**
     * One readiness check per server (`mcp:<name>`): a server that is not ready is reported degraded
     * and the pod stays ready, unless the server is `required`.
     */
    checks(): ReadinessCheck[] {
      return connections.map((connection) => ({
        name: `mcp:${connection.name}`,
        check: async (): Promise<CheckOutcome> => {
          const status = connection.status();
          const detail = stateText(status);
          if (status.state === 'ready') return { ok: true, detail };
          if (status.required) return { ok: false, error: `MCP server is ${status.state}`, detail };
          return { ok: true, degraded: true, detail };
        },
      }));
    },
    async close(): Promise<void> {
      await Promise.all(connections.map((connection) => connection.close()));
    },
  };
}
export type McpClients = ReturnType<typeof createMcpClients>;

import type { Tool as McpListedTool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { defineTool, type Tool, type ToolResult, toolFailure } from '../../tools/index.js';
import { type McpServerConfig, mcpToolRef } from '../mcp.config.js';

/** What an MCP tool returns into a step or a chat: its text, and its structured content when it has some. */
export const mcpToolOutput = z.object({
  text: z.string(),
  structured: z.record(z.string(), z.unknown()).optional(),
});
export type McpToolOutput = z.output<typeof mcpToolOutput>;

/** The one call a tool makes on its server's connection. */
export interface McpCaller {
  /** The failure every call gets while the server is not ready; undefined while it is. */
  unavailable(): ToolResult<never> | undefined;
  call(
    tool: string,
    args: Record<string, unknown>,
    options: { signal: AbortSignal; timeoutMs: number },
  ): Promise<ToolResult<McpToolOutput>>;
}

// Until the server lists the tool, any object passes here; the call itself is refused, and once it
// is listed the registry holds the tool with the server's own schema.
const anyObject = z.record(z.string(), z.unknown());
const MAX_DESCRIPTION = 1_000;

export interface McpToolSpec {
  server: McpServerConfig;
  /** The tool's name on the server. */
  tool: string;
  /** The server's listing of it; undefined while it is not listed (not connected yet, or not offered). */
  listing?: McpListedTool;
  caller: McpCaller;
}

/** The server's JSON Schema as zod, or why it cannot be read (then the tool cannot be called). */
function inputSchema(listing: McpListedTool): { schema: z.ZodType; problem?: string } {
  try {
    const schema = z.fromJSONSchema(listing.inputSchema as z.core.JSONSchema.JSONSchema);
    // The registry offers models the schema back as JSON Schema; one that cannot go back is unusable.
    z.toJSONSchema(schema, { io: 'input' });
    return { schema };
  } catch (error) {
    return { schema: anyObject, problem: error instanceof Error ? error.message : String(error) };
  }
}

function describe(spec: McpToolSpec): string {
  const { server, tool, listing } = spec;
  if (!listing) return `${tool} from MCP server ${server.name} (not listed by the server at the moment)`;
  const own = (listing.description ?? listing.title ?? tool).slice(0, MAX_DESCRIPTION);
  return `${own} (tool ${tool} of MCP server ${server.name})`;
}

/**
 * A server's tool behind the registry's Tool interface: the registry validates the input against the
 * server's schema and applies the timeout and output cap; the operator's config, never the server's
 * annotations, says whether it has side effects.
 */
export function createMcpTool(spec: McpToolSpec): Tool {
  const { server, tool, listing, caller } = spec;
  const entry = server.tools[tool] ?? { sideEffects: true };
  const timeoutMs = entry.timeoutMs ?? server.timeoutMs;
  const input = listing ? inputSchema(listing) : { schema: anyObject };
  const tenants = server.tenants ? new Set(server.tenants) : undefined;
  return defineTool({
    name: mcpToolRef(server.name, tool),
    description: describe(spec),
    input: input.schema,
    output: mcpToolOutput,
    sideEffects: entry.sideEffects,
    timeoutMs,
    maxOutputBytes: server.maxOutputBytes,
    async run(args, ctx) {
      if (tenants && !(ctx.tenantId && tenants.has(ctx.tenantId))) {
        return toolFailure('mcp_tenant_refused', `MCP server ${server.name} is not available to this tenant`);
      }
      if (!listing) {
        const down = caller.unavailable();
        if (down) return down;
        return toolFailure(
          'mcp_tool_unavailable',
          `MCP server ${server.name} does not list ${tool} at the moment`,
          {
            retryable: true,
          },
        );
      }
      if (input.problem) {
        return toolFailure(
          'mcp_schema_unsupported',
          `${tool}'s input schema cannot be read: ${input.problem}`,
        );
      }
      const object = (args ?? {}) as Record<string, unknown>;
      return caller.call(tool, object, { signal: ctx.signal, timeoutMs });
    },
  });
}

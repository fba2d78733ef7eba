import { z } from 'zod';
import { hostPortList, httpUrl, positiveInt } from '../../platform/config/index.js';

// `<server>__<tool>` is the registry name, so a server name holds no `__` and the split is unambiguous.
const serverName = z
  .string()
  .max(32)
  .regex(
    /^[a-zA-Z0-9]+(?:[-_][a-zA-Z0-9]+)*$/,
    'letters and digits, single "-" or "_" between them, at most 32',
  );
// What LLM tool-calling APIs accept; a server tool named otherwise (with a dot) cannot be offered.
const mcpToolName = z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'letters, digits, "_" or "-", at most 64');
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');
const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'an HTTP header name');

/** One tool of a server that agents and tasks may use. */
const toolEntry = z.strictObject({
  /** True when calling it changes the world, so a step waits for approval. Default true: an unknown tool is not trusted. */
  sideEffects: z.boolean().default(true),
  /** Overrides the server's timeoutMs for this tool. */
  timeoutMs: positiveInt.max(600_000).optional(),
});

/** One MCP server: a command Berth starts (stdio) or a Streamable HTTP URL. */
export const mcpServerSchema = z
  .strictObject({
    name: serverName,
    /** stdio: the program to start, e.g. `npx`. */
    command: z.string().min(1).optional(),
    args: z.array(z.string()).default([]),
    /** Added to a minimal environment (PATH, HOME, …); values may name secrets as `${ENV_NAME}`. */
    env: z.record(envName, z.string()).default({}),
    cwd: z.string().min(1).optional(),
    /** Streamable HTTP: the server's endpoint. Its host must pass the fetch_url address policy or be on mcp.allow. */
    url: httpUrl.optional(),
    /** Sent with every request; values may name secrets as `${ENV_NAME}`. */
    headers: z.record(headerName, z.string()).default({}),
    /** The allow list: the server's tools Berth offers, each by its name on the server. Nothing else is offered. */
    tools: z.record(mcpToolName, toolEntry.prefault({})),
    /** Per call. Default 30000. */
    timeoutMs: positiveInt.max(600_000).default(30_000),
    /** Cap on the JSON of one result. Default 262144 (256 KiB). */
    maxOutputBytes: positiveInt.max(16 * 1024 * 1024).default(256 * 1024),
    /** Tenants whose tasks and chats may call it; default every tenant. */
    tenants: z.array(z.string().min(1)).min(1).optional(),
    /** When true, /readyz fails while this server is not ready. Default false: reported, never failing. */
    required: z.boolean().default(false),
  })
  .superRefine((server, ctx) => {
    if (!server.command === !server.url) {
      ctx.addIssue({
        code: 'custom',
        path: ['command'],
        message: 'give exactly one of command (stdio) or url (HTTP)',
      });
    }
    if (Object.keys(server.tools).length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['tools'],
        message: 'lists no tools: name the tools agents may use',
      });
    }
    for (const tool of Object.keys(server.tools)) {
      const full = mcpToolRef(server.name, tool);
      if (full.length > 64) {
        ctx.addIssue({ code: 'custom', path: ['tools', tool], message: `"${full}" is over 64 characters` });
      }
    }
  });
export type McpServerConfig = z.output<typeof mcpServerSchema>;

/** The `mcp` section of berth.yaml. */
export const mcpSection = z
  .strictObject({
    /** host:port entries an HTTP MCP server may be on whatever its address (a sidecar on loopback). Default none. */
    allow: hostPortList.default([]),
    servers: z.array(mcpServerSchema).default([]),
  })
  .prefault({})
  .superRefine((section, ctx) => {
    const seen = new Set<string>();
    section.servers.forEach((server, index) => {
      if (seen.has(server.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['servers', index, 'name'],
          message: `"${server.name}" is declared twice`,
        });
      }
      seen.add(server.name);
    });
  });
export type McpConfig = z.output<typeof mcpSection>;

/**
 * Where berth.yaml may name a secret as `${ENV_NAME}`: the config loader resolves these from the
 * environment, and its error messages show the reference, never the value.
 */
export const mcpSecretPaths = ['mcp.servers.*.env.*', 'mcp.servers.*.headers.*'] as const;

/** The registry name of a server's tool. */
export const mcpToolRef = (server: string, tool: string) => `${server}__${tool}`;

import type { Readable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Tool as McpListedTool } from '@modelcontextprotocol/sdk/types.js';
import { ExponentialBackoff, type IBackoff } from 'cockatiel';
import type { Logger } from '../../../platform/telemetry/index.js';
import { type LookupAll, type ToolResult, toolFailure } from '../../tools/index.js';
import { type McpServerConfig, mcpToolRef } from '../mcp.config.js';
import { guardedFetch } from './guarded-fetch.js';
import { callFailure, isConnectionLoss, toToolResult } from './mcp-result.js';
import type { McpCaller, McpToolOutput } from './mcp-tool.js';

/** connecting: never ready yet; restarting: lost and reconnecting; failed: several attempts in a row failed (still retried). */
export type McpServerState = 'connecting' | 'ready' | 'restarting' | 'failed';

export interface McpServerStatus {
  name: string;
  transport: 'stdio' | 'http';
  state: McpServerState;
  /** Why the last attempt or connection ended; never holds headers or environment values. */
  last_error: string | null;
  /** Allow-listed tools the server lists now. */
  tools: number;
  /** Their registry names (`<server>__<tool>`), as agents name them. */
  available: string[];
  /** Allow-listed tools the server does not list now. */
  missing: string[];
  restarts: number;
  required: boolean;
}

export interface ConnectionTiming {
  /** Initialisation handshake and the first tools/list. Default 10 s. */
  connectTimeoutMs: number;
  /** How often a ready server is pinged; a missed answer restarts it. Default 15 s. */
  pingIntervalMs: number;
  pingTimeoutMs: number;
  /** Backoff between attempts (cockatiel's exponential backoff with jitter). Default 500 ms to 30 s. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Failed attempts in a row after which the state is `failed`. Default 3. */
  failedAfter: number;
}

export const defaultTiming: ConnectionTiming = {
  connectTimeoutMs: 10_000,
  pingIntervalMs: 15_000,
  pingTimeoutMs: 5_000,
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  failedAfter: 3,
};

export interface ConnectionOptions {
  server: McpServerConfig;
  /** mcp.allow: host:port entries an HTTP server may be on whatever its address. */
  allow: readonly string[];
  logger: Logger;
  version: string;
  /** The server's current tools by name; undefined while it is not connected. */
  onListing(listing: ReadonlyMap<string, McpListedTool> | undefined): void;
  timing?: Partial<ConnectionTiming>;
  lookup?: LookupAll;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const MAX_STDERR_LINE = 500;

/** Where an HTTP server is, for logs and status: no userinfo, no query (either may hold a token). */
export const safeUrl = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
};

/**
 * One MCP server: connects, lists its tools, restarts it with backoff when it dies, hangs (a missed
 * ping) or cannot be reached, and answers calls — at once with a retryable error while it is down,
 * so a dead server never holds a step or a chat turn.
 */
export class McpConnection implements McpCaller {
  readonly #options: ConnectionOptions;
  readonly #timing: ConnectionTiming;
  #generation = 0;
  #client: Client | undefined;
  #state: McpServerState = 'connecting';
  #lastError: string | null = null;
  #failures = 0;
  #restarts = 0;
  #backoff: IBackoff<unknown> | undefined;
  #retry: NodeJS.Timeout | undefined;
  #ping: NodeJS.Timeout | undefined;
  #listing: ReadonlyMap<string, McpListedTool> | undefined;
  #closed = false;

  constructor(options: ConnectionOptions) {
    this.#options = options;
    this.#timing = { ...defaultTiming, ...options.timing };
  }

  get name() {
    return this.#options.server.name;
  }

  start(): void {
    void this.#connect();
  }

  status(): McpServerStatus {
    const { server } = this.#options;
    const allowed = Object.keys(server.tools);
    const listed = this.#listing;
    const available = listed ? allowed.filter((tool) => listed.has(tool)) : [];
    return {
      name: server.name,
      transport: server.url ? 'http' : 'stdio',
      state: this.#state,
      last_error: this.#lastError,
      tools: available.length,
      available: available.map((tool) => mcpToolRef(server.name, tool)),
      missing: listed ? allowed.filter((tool) => !listed.has(tool)) : allowed,
      restarts: this.#restarts,
      required: server.required,
    };
  }

  /** The child's pid, for stdio servers (tests stop and kill it). */
  pid(): number | undefined {
    const transport = this.#client?.transport;
    return transport instanceof StdioClientTransport ? (transport.pid ?? undefined) : undefined;
  }

  unavailable(): ToolResult<never> | undefined {
    if (this.#state === 'ready' && this.#client) return undefined;
    const why = this.#lastError ? `: ${this.#lastError}` : '';
    return toolFailure('mcp_server_unavailable', `MCP server ${this.name} is ${this.#state}${why}`, {
      retryable: true,
    });
  }

  async call(
    tool: string,
    args: Record<string, unknown>,
    options: { signal: AbortSignal; timeoutMs: number },
  ): Promise<ToolResult<McpToolOutput>> {
    const client = this.#client;
    const generation = this.#generation;
    const name = this.#options.server.name;
    const down = this.unavailable();
    if (down || !client) return down ?? toolFailure('mcp_server_unavailable', `MCP server ${name} is down`);
    try {
      const result = await client.callTool({ name: tool, arguments: args }, undefined, {
        signal: options.signal,
        timeout: options.timeoutMs,
      });
      return toToolResult(result, tool);
    } catch (error) {
      if (options.signal.aborted) return callFailure(error, name, tool);
      const failure = callFailure(error, name, tool);
      // A slow tool is not a dead server; a ping tells them apart.
      if (!failure.ok && failure.error.code === 'tool_timeout') void this.#probe(client, generation);
      else if (isConnectionLoss(error)) this.#lost(generation, messageOf(error));
      return failure;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    clearInterval(this.#ping);
    const client = this.#client;
    this.#client = undefined;
    await client?.close().catch(() => {});
  }

  #transport(): Transport {
    const { server, allow, lookup } = this.#options;
    if (server.url) {
      return new StreamableHTTPClientTransport(new URL(server.url), {
        requestInit: { headers: server.headers },
        fetch: guardedFetch({ allow, lookup }),
      });
    }
    const transport = new StdioClientTransport({
      command: server.command as string,
      args: server.args,
      env: { ...getDefaultEnvironment(), ...server.env },
      ...(server.cwd ? { cwd: server.cwd } : {}),
      stderr: 'pipe',
    });
    this.#logStderr(transport.stderr as Readable | null);
    return transport;
  }

  // What a stdio server writes to stderr is its log; it goes to ours, line by line, cut short.
  #logStderr(stream: Readable | null) {
    if (!stream) return;
    let buffered = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = (lines.pop() ?? '').slice(-MAX_STDERR_LINE);
      for (const line of lines.filter((l) => l.trim())) {
        this.#options.logger.info({ mcp_server: this.name }, `mcp stderr: ${line.slice(0, MAX_STDERR_LINE)}`);
      }
    });
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const generation = ++this.#generation;
    const client = new Client(
      { name: 'berth', version: this.#options.version },
      {
        listChanged: {
          tools: {
            autoRefresh: false,
            debounceMs: 50,
            onChanged: () => void this.#refresh(client, generation),
          },
        },
      },
    );
    client.onclose = () => this.#lost(generation, 'the connection closed');
    try {
      await client.connect(this.#transport(), { timeout: this.#timing.connectTimeoutMs });
      if (generation !== this.#generation || this.#closed) {
        await client.close().catch(() => {});
        return;
      }
      this.#client = client;
      await this.#refresh(client, generation);
      this.#ready(client, generation);
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#lastError = messageOf(error);
      this.#client = undefined;
      this.#failures++;
      if (this.#failures >= this.#timing.failedAfter) this.#state = 'failed';
      this.#options.logger.warn(
        { mcp_server: this.name, attempt: this.#failures, error: this.#lastError },
        `MCP server ${this.name} could not be started or reached`,
      );
      await client.close().catch(() => {});
      this.#scheduleRetry();
    }
  }

  #ready(client: Client, generation: number) {
    this.#state = 'ready';
    this.#failures = 0;
    this.#backoff = undefined;
    this.#options.logger.info(
      { mcp_server: this.name, tools: this.status().tools },
      `MCP server ${this.name} is ready`,
    );
    clearInterval(this.#ping);
    this.#ping = setInterval(() => void this.#probe(client, generation), this.#timing.pingIntervalMs);
    this.#ping.unref();
  }

  async #refresh(client: Client, generation: number): Promise<void> {
    const listing = new Map<string, McpListedTool>();
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : undefined, {
        timeout: this.#timing.connectTimeoutMs,
      });
      for (const tool of page.tools) listing.set(tool.name, tool);
      cursor = page.nextCursor;
    } while (cursor);
    if (generation !== this.#generation) return;
    this.#listing = listing;
    this.#options.onListing(listing);
  }

  async #probe(client: Client, generation: number): Promise<void> {
    try {
      await client.ping({ timeout: this.#timing.pingTimeoutMs });
    } catch {
      this.#lost(generation, `no answer to a ping within ${this.#timing.pingTimeoutMs} ms`);
    }
  }

  #lost(generation: number, reason: string) {
    if (generation !== this.#generation || this.#closed || this.#state !== 'ready') return;
    this.#generation++;
    this.#state = 'restarting';
    this.#lastError = reason;
    this.#restarts++;
    this.#listing = undefined;
    this.#options.onListing(undefined);
    clearInterval(this.#ping);
    this.#options.logger.warn(
      { mcp_server: this.name, error: reason },
      `MCP server ${this.name} lost: restarting`,
    );
    const client = this.#client;
    this.#client = undefined;
    // Closing a stdio transport ends the child (SIGKILL at the last), a hung one too.
    void client?.close().catch(() => {});
    this.#scheduleRetry();
  }

  #scheduleRetry() {
    if (this.#closed) return;
    this.#backoff = this.#backoff
      ? this.#backoff.next(undefined)
      : new ExponentialBackoff({
          initialDelay: this.#timing.initialDelayMs,
          maxDelay: this.#timing.maxDelayMs,
        }).next();
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => void this.#connect(), this.#backoff.duration);
    this.#retry.unref();
  }
}

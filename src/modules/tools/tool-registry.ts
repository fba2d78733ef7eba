import { z } from 'zod';
import type { UnavailableTool } from './builtin-tools.js';
import { invokeTool } from './invoke-tool.js';
import { type Tool, type ToolContext, type ToolResult, toolFailure } from './tool.js';

/** What a planner or an LLM needs to choose and call a tool. */
export interface ToolDescriptor {
  name: string;
  description: string;
  /** JSON Schema of the input, as callers send it. */
  inputSchema: Record<string, unknown>;
  sideEffects: boolean;
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** The tools of one process. Problems with a tool's definition throw at start, never at call time. */
export class ToolRegistry {
  readonly #tools = new Map<string, { tool: Tool; descriptor: ToolDescriptor }>();
  readonly #unavailable: ReadonlyMap<string, string>;

  /** `unavailable`: built-ins this configuration leaves out, so a plan naming one can say what to set. */
  constructor(tools: readonly Tool[] = [], unavailable: readonly UnavailableTool[] = []) {
    for (const tool of tools) this.register(tool);
    this.#unavailable = new Map(unavailable.map((entry) => [entry.name, entry.reason]));
  }

  /** Why a tool that is not registered is missing (`needs BERTH_SMTP_URL …`), when the configuration is why. */
  unavailableReason(name: string): string | undefined {
    return this.#tools.has(name) ? undefined : this.#unavailable.get(name);
  }

  register(tool: Tool): this {
    if (this.#tools.has(tool.name)) throw new Error(`Tool "${tool.name}" is registered twice`);
    return this.#put(tool);
  }

  /**
   * Swaps a registered tool for a new definition of the same name (an MCP server's tool once the
   * server lists it, or lists it anew); calls already running keep the definition they started with.
   */
  replace(tool: Tool): this {
    if (!this.#tools.has(tool.name)) throw new Error(`Tool "${tool.name}" is not registered`);
    return this.#put(tool);
  }

  #put(tool: Tool): this {
    if (!TOOL_NAME.test(tool.name)) throw new Error(`Tool name "${tool.name}" must match ${TOOL_NAME}`);
    for (const limit of ['timeoutMs', 'maxOutputBytes'] as const) {
      if (!Number.isFinite(tool[limit]) || tool[limit] <= 0) {
        throw new Error(`Tool "${tool.name}": ${limit} must be a positive number`);
      }
    }
    const inputSchema = z.toJSONSchema(tool.input, { io: 'input' });
    const descriptor = {
      name: tool.name,
      description: tool.description,
      inputSchema,
      sideEffects: tool.sideEffects,
    };
    this.#tools.set(tool.name, { tool, descriptor });
    return this;
  }

  get(name: string): Tool | undefined {
    return this.#tools.get(name)?.tool;
  }

  list(): ToolDescriptor[] {
    return [...this.#tools.values()].map((entry) => entry.descriptor);
  }

  /** Validates, runs and checks one call; every failure comes back as a ToolError, never a rejection. */
  invoke(name: string, rawInput: unknown, ctx: ToolContext): Promise<ToolResult<unknown>> {
    const tool = this.get(name);
    if (!tool) return Promise.resolve(toolFailure('unknown_tool', `No tool is named "${name}"`));
    return invokeTool(tool, rawInput, ctx);
  }
}

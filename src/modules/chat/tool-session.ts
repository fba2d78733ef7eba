import { type JSONSchema7, jsonSchema, type ToolSet, tool } from 'ai';
import type { ToolContext, ToolDescriptor, ToolResult } from '../tools/index.js';

/** The part of the tool registry the chat loop uses. */
export interface ToolCatalog {
  list(): ToolDescriptor[];
  invoke(name: string, input: unknown, ctx: ToolContext): Promise<ToolResult<unknown>>;
}

export interface ToolCallError {
  code: string;
  message: string;
}

/** How one tool call the model made ended. */
export interface ToolOutcome {
  /** The model's tool call id. */
  id: string;
  tool: string;
  ok: boolean;
  error?: ToolCallError;
  /** What the result rests on: the output's `url` when it has one (fetch_url's final URL), else the call id. */
  ref: string;
}

/** The tools of one model run, and a record of every call the model made with them. */
export interface ToolSession {
  readonly tools: ToolSet;
  outcome(toolCallId: string): ToolOutcome | undefined;
  /** Finished calls, in the order the model made them. */
  outcomes(): ToolOutcome[];
}

const refOf = (value: unknown, toolCallId: string): string =>
  typeof value === 'object' && value !== null && 'url' in value && typeof value.url === 'string'
    ? value.url
    : toolCallId;

/**
 * AI SDK tools for the named registry tools. A failed call becomes a result the model reads
 * (`{ error: { code, message } }`), never an exception that ends the turn. The set is fixed here,
 * before the model runs: nothing a tool returns can add a tool or change the instructions.
 */
export function createToolSession(
  catalog: ToolCatalog,
  names: readonly string[],
  requestId: string,
  /** Who the turn is for: model-backed tools count their calls under it. */
  owner?: { tenantId: string; agent: string },
): ToolSession {
  const descriptors = new Map(catalog.list().map((descriptor) => [descriptor.name, descriptor]));
  const outcomes = new Map<string, ToolOutcome>();
  const order: string[] = [];
  // Calls made without a caller signal still get one; the registry adds each tool's own timeout.
  const unbounded = new AbortController().signal;
  const tools: ToolSet = {};
  for (const name of names) {
    const descriptor = descriptors.get(name);
    // The agent catalog refused unknown tools at start; a name missing here is simply not offered.
    if (!descriptor) continue;
    tools[name] = tool({
      description: descriptor.description,
      // The registry validates the input with the tool's own schema, and reports a mismatch as data.
      inputSchema: jsonSchema<unknown>(descriptor.inputSchema as JSONSchema7),
      execute: async (input, { toolCallId, abortSignal }) => {
        order.push(toolCallId);
        const result = await catalog.invoke(name, input, {
          signal: abortSignal ?? unbounded,
          idempotencyKey: `${requestId}:${toolCallId}`,
          requestId,
          ...(owner ? { tenantId: owner.tenantId, agent: owner.agent } : {}),
        });
        if (result.ok) {
          outcomes.set(toolCallId, {
            id: toolCallId,
            tool: name,
            ok: true,
            ref: refOf(result.value, toolCallId),
          });
          return result.value;
        }
        const error = { code: result.error.code, message: result.error.message };
        outcomes.set(toolCallId, { id: toolCallId, tool: name, ok: false, error, ref: toolCallId });
        return { error };
      },
    });
  }
  return {
    tools,
    outcome: (toolCallId) => outcomes.get(toolCallId),
    outcomes: () => order.flatMap((id) => outcomes.get(id) ?? []),
  };
}

const PREVIEW_CHARS = 200;
const PREVIEW_ITEMS = 20;

/** A tool input cut down for an event stream: long strings shortened, deep or wide structures trimmed. */
export function previewInput(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    return value.length > PREVIEW_CHARS ? `${value.slice(0, PREVIEW_CHARS)}… (${value.length} chars)` : value;
  }
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= 3) return Array.isArray(value) ? '[…]' : '{…}';
  if (Array.isArray(value)) return value.slice(0, PREVIEW_ITEMS).map((item) => previewInput(item, depth + 1));
  const entries = Object.entries(value).slice(0, PREVIEW_ITEMS);
  return Object.fromEntries(entries.map(([key, item]) => [key, previewInput(item, depth + 1)]));
}

import type { z } from 'zod';
import { fail, type Result } from '../../platform/errors.js';

/**
 * A tool's failure as data. `code` is machine-readable (see docs/tools.md for the table);
 * `retryable` tells the step runner whether another attempt could succeed.
 */
export interface ToolError {
  code: string;
  message: string;
  retryable: boolean;
  details?: unknown;
}

export type ToolResult<T> = Result<T, ToolError>;

export interface ToolContext {
  /** Aborts when the caller gives up or the tool's own timeout passes; tools must honour it. */
  signal: AbortSignal;
  /** Stable across retries of the same step, so side-effecting tools can deduplicate. */
  idempotencyKey: string;
  requestId?: string;
  /** The agent on whose behalf the tool runs; model-backed tools use its model. */
  agent?: string;
  /** The tenant the tool runs for: model-backed tools count their calls against its budgets. */
  tenantId?: string;
}

/**
 * One interface for every tool: built-ins, HTTP tools from config, MCP servers, side-effecting tools
 * behind approval. Callers only ever see this shape, through the registry.
 */
export interface Tool<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  /** Letters, digits, `_` and `-`, at most 64: what LLM tool-calling APIs accept. */
  name: string;
  description: string;
  input: I;
  output: O;
  /** True when running the tool changes the world; such steps wait for approval. */
  sideEffects: boolean;
  timeoutMs: number;
  /** Cap on the UTF-8 JSON encoding of the output. */
  maxOutputBytes: number;
  /** Expected failures are returned; anything thrown becomes `tool_failed`. */
  run(input: z.output<I>, ctx: ToolContext): Promise<ToolResult<z.input<O>>>;
}

/** Identity function that lets TypeScript infer a tool's input and output types. */
export const defineTool = <I extends z.ZodType, O extends z.ZodType>(tool: Tool<I, O>): Tool<I, O> => tool;

export interface ToolErrorOptions {
  retryable?: boolean;
  details?: unknown;
}

export function toolError(code: string, message: string, options: ToolErrorOptions = {}): ToolError {
  const error: ToolError = { code, message, retryable: options.retryable ?? false };
  if (options.details !== undefined) error.details = options.details;
  return error;
}

export const toolFailure = (code: string, message: string, options?: ToolErrorOptions) =>
  fail(toolError(code, message, options));

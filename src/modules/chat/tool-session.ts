import { type JSONSchema7, jsonSchema, type ToolSet, tool } from 'ai';
import { AppError } from '../../platform/errors.js';
import { type GuardrailRule, toolRefusalRule } from '../audit/index.js';
import type { ToolContext, ToolDescriptor, ToolResult } from '../tools/index.js';
import type { ProposedAction } from './action-proposals.js';

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
  /** A side-effecting call: it did not run; this task waits for approval of exactly its arguments. */
  proposal?: ProposedAction;
}

/** What a session does beyond running tools; each is optional. */
export interface SessionHooks {
  /**
   * Turns a side-effecting call into an action waiting for approval. Without it, side-effecting
   * tools are not offered at all (the caller has no way to report an approval).
   */
  propose?: (tool: string, input: unknown, signal?: AbortSignal) => Promise<ProposedAction>;
  /** A call a guardrail refused (fetch_url's SSRF guard, http_post's allow list). */
  onRefused?: (refusal: { tool: string; code: string; rule: GuardrailRule }) => void;
}

/** The tools of one model run, and a record of every call the model made with them. */
export interface ToolSession {
  readonly tools: ToolSet;
  outcome(toolCallId: string): ToolOutcome | undefined;
  /** Finished calls, in the order the model made them. */
  outcomes(): ToolOutcome[];
  /** The actions proposed for approval, in the order the model made them. */
  proposals(): ProposedAction[];
}

const refOf = (value: unknown, toolCallId: string): string =>
  typeof value === 'object' && value !== null && 'url' in value && typeof value.url === 'string'
    ? value.url
    : toolCallId;

/** What the model reads back for a proposed action: it did not run, and who must do what. */
function proposalResult(action: ProposedAction) {
  const said = action.approvalId
    ? `Approval ${action.approvalId} was requested for ${action.tool} with exactly these arguments`
    : `Task ${action.taskId} will request approval for ${action.tool} with exactly these arguments once a worker takes it`;
  return {
    status: 'approval_requested',
    approval_id: action.approvalId,
    task_id: action.taskId,
    tool: action.tool,
    arguments: action.arguments,
    args_hash: action.argsHash,
    message: `${said}. It has not run: it runs once an operator approves it. Tell the user.`,
  };
}

/** A refused proposal (bad arguments, not allowed) as a result the model reads; a failure of Berth's own (5xx) ends the turn. */
function proposalRefused(error: unknown): ToolCallError {
  if (!(error instanceof AppError) || error.httpStatus >= 500) throw error;
  // The plan check words it as a request field (body.steps.0.input.url); to the model it is its input.
  const code = error.code === 'validation_failed' ? 'invalid_tool_input' : error.code;
  return { code, message: error.message };
}

/**
 * AI SDK tools for the named registry tools. A failed call becomes a result the model reads
 * (`{ error: { code, message } }`), never an exception that ends the turn. A side-effecting call
 * never runs here: `hooks.propose` turns it into a task waiting for approval, and the model reads
 * which approval was requested. The set is fixed here, before the model runs: nothing a tool
 * returns can add a tool or change the instructions.
 */
export function createToolSession(
  catalog: ToolCatalog,
  names: readonly string[],
  requestId: string,
  /** Who the turn is for: model-backed tools count their calls under it. */
  owner?: { tenantId: string; agent: string },
  hooks: SessionHooks = {},
): ToolSession {
  const descriptors = new Map(catalog.list().map((descriptor) => [descriptor.name, descriptor]));
  const outcomes = new Map<string, ToolOutcome>();
  const order: string[] = [];
  // Calls made without a caller signal still get one; the registry adds each tool's own timeout.
  const unbounded = new AbortController().signal;

  const failed = (toolCallId: string, name: string, error: ToolCallError) => {
    outcomes.set(toolCallId, { id: toolCallId, tool: name, ok: false, error, ref: toolCallId });
    return { error };
  };

  async function run(name: string, input: unknown, toolCallId: string, signal: AbortSignal) {
    const result = await catalog.invoke(name, input, {
      signal,
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
    const { code, message } = result.error;
    const rule = toolRefusalRule(code);
    if (rule) hooks.onRefused?.({ tool: name, code, rule });
    return failed(toolCallId, name, { code, message });
  }

  async function propose(name: string, input: unknown, toolCallId: string, signal: AbortSignal) {
    const propose = hooks.propose as NonNullable<SessionHooks['propose']>;
    try {
      const action = await propose(name, input, signal);
      const ref = action.approvalId ?? action.taskId;
      outcomes.set(toolCallId, { id: toolCallId, tool: name, ok: true, ref, proposal: action });
      return proposalResult(action);
    } catch (error) {
      return failed(toolCallId, name, proposalRefused(error));
    }
  }

  const tools: ToolSet = {};
  for (const name of names) {
    const descriptor = descriptors.get(name);
    // The agent catalog refused unknown tools at start; a name missing here is simply not offered.
    if (!descriptor) continue;
    if (descriptor.sideEffects && !hooks.propose) continue;
    const call = descriptor.sideEffects ? propose : run;
    tools[name] = tool({
      description: descriptor.description,
      // The registry validates the input with the tool's own schema, and reports a mismatch as data.
      inputSchema: jsonSchema<unknown>(descriptor.inputSchema as JSONSchema7),
      execute: async (input, { toolCallId, abortSignal }) => {
        order.push(toolCallId);
        return call(name, input, toolCallId, abortSignal ?? unbounded);
      },
    });
  }
  const finished = () => order.flatMap((id) => outcomes.get(id) ?? []);
  return {
    tools,
    outcome: (toolCallId) => outcomes.get(toolCallId),
    outcomes: finished,
    proposals: () => finished().flatMap((outcome) => outcome.proposal ?? []),
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

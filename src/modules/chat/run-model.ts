import {
  generateText,
  isStepCount,
  type LanguageModelUsage,
  type ModelMessage,
  type PrepareStepFunction,
  streamText,
  type TextStreamPart,
  ToolChoiceViolationError,
  type ToolSet,
} from 'ai';
import { AppError } from '../../platform/errors.js';
import type { Agent } from '../agents/index.js';
import { type LlmCallContext, type LlmRegistry, toLlmAppError, withCallContext } from '../llm/index.js';
import { previewInput, type ToolCallError, type ToolSession } from './tool-session.js';

export interface ModelReply {
  /** The text of every step, steps apart by a blank line: what a streaming client saw. */
  text: string;
  model: string;
  /** Summed over every step of the run; the cost in USD from the price table. */
  usage: { inputTokens: number; outputTokens: number; costUsd: number };
}

/** Tool activity while a reply streams; inputs are previews and outputs are never included. */
export type ToolEvent =
  | { type: 'call'; id: string; tool: string; input: unknown }
  | {
      type: 'result';
      id: string;
      tool: string;
      ok: boolean;
      error?: ToolCallError;
      /** A side-effecting call: it did not run; this task (and approval, once requested) waits instead. */
      proposal?: { taskId: string; approvalId: string | null };
    };

export interface RunModelOptions {
  /** Who the run is for: every model call of it is checked against their budgets and counted under them. */
  context: LlmCallContext;
  signal?: AbortSignal;
  /** When given the reply is streamed: called for every piece of text, in order. */
  onDelta?: (text: string) => void;
  maxOutputTokens?: number;
  temperature?: number;
  /** The agent's tools for this run (createToolSession); without it the model is offered none. */
  tools?: ToolSession;
  /** Tokens the run may spend before its next model call must answer without tools. Default: the agent's tokenBudget. */
  tokenAllowance?: number;
  /** Streamed runs only: a tool call as the model makes it, and its outcome. */
  onToolEvent?: (event: ToolEvent) => void;
}

type SdkUsage = { inputTokens: number | undefined; outputTokens: number | undefined };
type Usage = ModelReply['usage'];

// Prices are linear in tokens, so the summed usage of a run costs what its calls were counted at.
function usageOf(registry: LlmRegistry, agent: Agent, usage: SdkUsage): Usage {
  const tokens = { inputTokens: usage.inputTokens ?? 0, outputTokens: usage.outputTokens ?? 0 };
  return { ...tokens, costUsd: registry.costOf(agent.model, tokens) };
}

const spent = (steps: ReadonlyArray<{ usage: LanguageModelUsage }>) =>
  steps.reduce((sum, step) => sum + (step.usage.inputTokens ?? 0) + (step.usage.outputTokens ?? 0), 0);

export interface ModelPrompt {
  /** System text after the agent's own system prompt (an OpenAI client's system messages). */
  extraInstructions?: string[];
  /** User and assistant turns, oldest first. */
  messages: ModelMessage[];
}

/**
 * The tool loop's bounds: at most `maxToolSteps` model calls, each capped at maxOutputTokens. The
 * last call, and any call once the token allowance is spent, is offered no tool, so the model has to
 * answer with what it has gathered instead of being cut off mid-investigation.
 */
function toolLoop(agent: Agent, options: RunModelOptions) {
  const tools = options.tools?.tools;
  if (!tools || Object.keys(tools).length === 0) return {};
  const lastStep = agent.maxToolSteps - 1;
  const allowance = options.tokenAllowance ?? agent.tokenBudget;
  return {
    tools,
    stopWhen: isStepCount(agent.maxToolSteps),
    prepareStep: (({ stepNumber, steps }) =>
      stepNumber >= lastStep || spent(steps) >= allowance
        ? { toolChoice: 'none' }
        : {}) satisfies PrepareStepFunction<ToolSet>,
  };
}

/**
 * One model run for an agent: a single call, or the tool loop when the agent has tools. Every
 * failure surfaces as an AppError (llm_*, tool_steps_exceeded), never a raw SDK error.
 */
export async function runModel(
  registry: LlmRegistry,
  agent: Agent,
  prompt: ModelPrompt,
  options: RunModelOptions,
): Promise<ModelReply> {
  const call = {
    ...withCallContext(options.context),
    model: registry.model(agent.model),
    instructions: [agent.systemPrompt, ...(prompt.extraInstructions ?? [])].join('\n\n'),
    messages: prompt.messages,
    // Retries, timeouts and the breaker live in the registry's model; the SDK must not retry again.
    maxRetries: 0,
    maxOutputTokens: options.maxOutputTokens ?? agent.maxOutputTokens,
    temperature: options.temperature ?? agent.temperature,
    abortSignal: options.signal,
    ...toolLoop(agent, options),
  };
  try {
    if (!options.onDelta) {
      const result = await generateText(call);
      return {
        text: joinSteps(result.steps.map((step) => step.text)),
        model: result.response.modelId || agent.model.model,
        usage: usageOf(registry, agent, result.totalUsage),
      };
    }
    // Errors arrive as stream parts and are rethrown below; the SDK's default onError would also print them.
    const streamed = await streamModel(streamText({ ...call, onError: () => {} }), options, agent);
    return { ...streamed, usage: usageOf(registry, agent, streamed.usage) };
  } catch (error) {
    throw runError(error, agent, options);
  }
}

const joinSteps = (texts: string[]) => texts.filter((text) => text.length > 0).join('\n\n');

function runError(error: unknown, agent: Agent, options: RunModelOptions): AppError {
  if (options.signal?.aborted) {
    return new AppError('llm_error', 'The request was cancelled by the client', { cause: error });
  }
  // Only the last step forbids tools, so this is a model that kept calling them to the end.
  if (ToolChoiceViolationError.isInstance(error)) {
    return new AppError(
      'tool_steps_exceeded',
      `The model was still calling tools after ${agent.maxToolSteps} steps (the agent's maxToolSteps) and gave no answer`,
      { details: { maxToolSteps: agent.maxToolSteps } },
    );
  }
  return toLlmAppError(error, agent.model);
}

interface StreamState {
  text: string;
  /** A step with text has ended: the next text starts after a blank line. */
  separate: boolean;
  model: string;
  usage: SdkUsage;
}

async function streamModel(
  result: ReturnType<typeof streamText>,
  options: RunModelOptions,
  agent: Agent,
): Promise<Omit<ModelReply, 'usage'> & { usage: SdkUsage }> {
  const state: StreamState = {
    text: '',
    separate: false,
    model: agent.model.model,
    usage: { inputTokens: 0, outputTokens: 0 },
  };
  for await (const part of result.fullStream) onPart(part, state, options);
  return { text: state.text, model: state.model, usage: state.usage };
}

function appendText(text: string, state: StreamState, options: RunModelOptions): void {
  if (!text) return;
  const delta = state.separate ? `\n\n${text}` : text;
  state.separate = false;
  state.text += delta;
  options.onDelta?.(delta);
}

function onPart(part: TextStreamPart<ToolSet>, state: StreamState, options: RunModelOptions): void {
  const emit = options.onToolEvent ?? (() => {});
  switch (part.type) {
    case 'text-delta':
      appendText(part.text, state, options);
      return;
    case 'finish-step':
      state.model = part.response.modelId || state.model;
      if (state.text) state.separate = true;
      return;
    case 'finish':
      state.usage = part.totalUsage;
      return;
    case 'tool-call':
      emit({ type: 'call', id: part.toolCallId, tool: part.toolName, input: previewInput(part.input) });
      return;
    case 'tool-result': {
      const outcome = options.tools?.outcome(part.toolCallId);
      const proposal = outcome?.proposal;
      emit({
        type: 'result',
        id: part.toolCallId,
        tool: part.toolName,
        ok: outcome?.ok ?? true,
        error: outcome?.error,
        ...(proposal ? { proposal: { taskId: proposal.taskId, approvalId: proposal.approvalId } } : {}),
      });
      return;
    }
    case 'tool-error':
      emit({
        type: 'result',
        id: part.toolCallId,
        tool: part.toolName,
        ok: false,
        error: refusedCall(part, options),
      });
      return;
    case 'error':
      throw part.error;
    case 'abort':
      throw new AppError('llm_error', 'The model call was aborted');
  }
}

/**
 * A call the SDK refused before any tool ran: its error arrives as text, so the kind comes from
 * whether the agent has the tool at all.
 */
function refusedCall(part: { toolName: string; error: unknown }, options: RunModelOptions): ToolCallError {
  const message = part.error instanceof Error ? part.error.message : String(part.error);
  const known = options.tools !== undefined && part.toolName in options.tools.tools;
  return { code: known ? 'invalid_tool_input' : 'unknown_tool', message };
}

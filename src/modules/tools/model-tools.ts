import { z } from 'zod';
import { ok } from '../../platform/errors.js';
import { defineTool, type Tool, type ToolContext, toolError } from './tool.js';

export interface ModelAnswer {
  text: string;
  model: string;
  /** Tokens and what they cost (USD, from the price table): the step records both. */
  usage: { inputTokens: number; outputTokens: number; costUsd: number };
}

/** Who a model tool's call is for: its budgets and its cost. */
export interface ModelCaller {
  agent?: string;
  tenantId?: string;
  requestId?: string;
}

/** What model-backed tools need from the model layer; app.ts supplies it. */
export interface ModelToolDeps {
  /** Summarises texts for the agent (the offline model gives an extractive summary). */
  summarize(
    request: ModelCaller & {
      texts: string[];
      instruction?: string;
      signal: AbortSignal;
    },
  ): Promise<ModelAnswer>;
  /** Answers a request from its own text, with the agent's model. */
  answer(request: ModelCaller & { question: string; signal: AbortSignal }): Promise<ModelAnswer>;
}

const usage = z.object({ inputTokens: z.number(), outputTokens: z.number(), costUsd: z.number() });
const callerOf = (ctx: ToolContext): ModelCaller => ({
  agent: ctx.agent,
  tenantId: ctx.tenantId,
  requestId: ctx.requestId,
});
const MAX_TEXT = 200_000;

async function callModel(run: () => Promise<ModelAnswer>) {
  try {
    return ok(await run());
  } catch (error) {
    const found = error as { code?: string; message?: string; details?: unknown };
    const { code = 'llm_error', message = String(error) } = found;
    // Provider outages and timeouts may pass; a rejected request will not, nor a spent budget before its reset.
    const retryable = code === 'llm_unavailable' || code === 'llm_timeout' || code === 'llm_error';
    const details = code === 'budget_exhausted' ? found.details : undefined;
    return { ok: false as const, error: toolError(code, message, { retryable, details }) };
  }
}

export function createSummarizeTool(deps: ModelToolDeps): Tool {
  return defineTool({
    name: 'summarize',
    description: 'Summarise one or more texts into one summary, following an optional instruction.',
    input: z.strictObject({
      texts: z.array(z.string().max(MAX_TEXT)).min(1).max(20),
      instruction: z.string().max(2_000).optional(),
    }),
    output: z.object({ summary: z.string(), model: z.string(), usage }),
    sideEffects: false,
    timeoutMs: 120_000,
    maxOutputBytes: 64 * 1024,
    run: async (input, ctx) => {
      const result = await callModel(() =>
        deps.summarize({
          ...callerOf(ctx),
          texts: input.texts,
          instruction: input.instruction,
          signal: ctx.signal,
        }),
      );
      return result.ok
        ? ok({ summary: result.value.text, model: result.value.model, usage: result.value.usage })
        : result;
    },
  });
}

export function createAnswerTool(deps: ModelToolDeps): Tool {
  return defineTool({
    name: 'answer',
    description: 'Answer a question or request directly with the model, without fetching anything.',
    input: z.strictObject({ question: z.string().min(1).max(MAX_TEXT) }),
    output: z.object({ answer: z.string(), model: z.string(), usage }),
    sideEffects: false,
    timeoutMs: 120_000,
    maxOutputBytes: 64 * 1024,
    run: async (input, ctx) => {
      const result = await callModel(() =>
        deps.answer({ ...callerOf(ctx), question: input.question, signal: ctx.signal }),
      );
      return result.ok
        ? ok({ answer: result.value.text, model: result.value.model, usage: result.value.usage })
        : result;
    },
  });
}

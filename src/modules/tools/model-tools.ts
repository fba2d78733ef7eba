import { z } from 'zod';
import { ok } from '../../platform/errors.js';
import { defineTool, type Tool, toolError } from './tool.js';

export interface ModelAnswer {
  text: string;
  model: string;
  usage: { inputTokens: number; outputTokens: number };
}

/** What model-backed tools need from the model layer; app.ts supplies it. */
export interface ModelToolDeps {
  /** Summarises texts for the agent (the offline model gives an extractive summary). */
  summarize(request: {
    agent?: string;
    texts: string[];
    instruction?: string;
    signal: AbortSignal;
  }): Promise<ModelAnswer>;
  /** Answers a request from its own text, with the agent's model. */
  answer(request: { agent?: string; question: string; signal: AbortSignal }): Promise<ModelAnswer>;
}

const usage = z.object({ inputTokens: z.number(), outputTokens: z.number() });
const MAX_TEXT = 200_000;

async function callModel(run: () => Promise<ModelAnswer>) {
  try {
    return ok(await run());
  } catch (error) {
    const { code = 'llm_error', message = String(error) } = error as { code?: string; message?: string };
    // Provider outages and timeouts may pass; a rejected request will not.
    const retryable = code === 'llm_unavailable' || code === 'llm_timeout' || code === 'llm_error';
    return { ok: false as const, error: toolError(code, message, { retryable }) };
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
          agent: ctx.agent,
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
        deps.answer({ agent: ctx.agent, question: input.question, signal: ctx.signal }),
      );
      return result.ok
        ? ok({ answer: result.value.text, model: result.value.model, usage: result.value.usage })
        : result;
    },
  });
}

import { generateText, type ModelMessage, streamText } from 'ai';
import { AppError } from '../../platform/errors.js';
import type { Agent } from '../agents/index.js';
import { type LlmRegistry, toLlmAppError } from '../llm/index.js';

export interface ModelReply {
  text: string;
  model: string;
  usage: { inputTokens: number; outputTokens: number };
}

export interface RunModelOptions {
  signal?: AbortSignal;
  /** When given the reply is streamed: called for every piece of text, in order. */
  onDelta?: (text: string) => void;
  maxOutputTokens?: number;
  temperature?: number;
}

const usageOf = (usage: { inputTokens: number | undefined; outputTokens: number | undefined }) => ({
  inputTokens: usage.inputTokens ?? 0,
  outputTokens: usage.outputTokens ?? 0,
});

export interface ModelPrompt {
  /** System text after the agent's own system prompt (an OpenAI client's system messages). */
  extraInstructions?: string[];
  /** User and assistant turns, oldest first. */
  messages: ModelMessage[];
}

/** One model call for an agent. Every failure surfaces as an AppError (llm_*), never a raw SDK error. */
export async function runModel(
  registry: LlmRegistry,
  agent: Agent,
  prompt: ModelPrompt,
  options: RunModelOptions = {},
): Promise<ModelReply> {
  const model = registry.model(agent.model);
  const call = {
    model,
    instructions: [agent.systemPrompt, ...(prompt.extraInstructions ?? [])].join('\n\n'),
    messages: prompt.messages,
    // Retries, timeouts and the breaker live in the registry's model; the SDK must not retry again.
    maxRetries: 0,
    maxOutputTokens: options.maxOutputTokens ?? agent.maxOutputTokens,
    temperature: options.temperature ?? agent.temperature,
    abortSignal: options.signal,
  };
  try {
    if (!options.onDelta) {
      const result = await generateText(call);
      return {
        text: result.text,
        model: result.response.modelId || agent.model.model,
        usage: usageOf(result.usage),
      };
    }
    // Errors arrive as stream parts and are rethrown below; the SDK's default onError would also print them.
    return await streamModel(streamText({ ...call, onError: () => {} }), options.onDelta, agent);
  } catch (error) {
    if (options.signal?.aborted)
      throw new AppError('llm_error', 'The request was cancelled by the client', { cause: error });
    throw toLlmAppError(error, agent.model);
  }
}

async function streamModel(
  result: ReturnType<typeof streamText>,
  onDelta: (text: string) => void,
  agent: Agent,
) {
  let text = '';
  let usage = { inputTokens: 0, outputTokens: 0 };
  let modelId = agent.model.model;
  for await (const part of result.fullStream) {
    if (part.type === 'text-delta') {
      text += part.text;
      onDelta(part.text);
    } else if (part.type === 'error') {
      throw part.error;
    } else if (part.type === 'abort') {
      throw new AppError('llm_error', 'The model call was aborted');
    } else if (part.type === 'finish-step') {
      modelId = part.response.modelId || modelId;
    } else if (part.type === 'finish') {
      usage = usageOf(part.totalUsage);
    }
  }
  return { text, model: modelId, usage };
}

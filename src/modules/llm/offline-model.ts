import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4FinishReason,
  LanguageModelV4GenerateResult,
  LanguageModelV4StreamPart,
  LanguageModelV4StreamResult,
  LanguageModelV4Usage,
} from '@ai-sdk/provider';
import { OFFLINE_MODEL_ID } from './llm.types.js';
import { offlineReply, promptChars } from './offline-reply.js';

const charsToTokens = (chars: number): number => Math.ceil(chars / 4);
const stop: LanguageModelV4FinishReason = { unified: 'stop', raw: 'stop' };

function usageOf(options: LanguageModelV4CallOptions, reply: string): LanguageModelV4Usage {
  const input = charsToTokens(promptChars(options.prompt));
  const output = charsToTokens(reply.length);
  return {
    inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: output, text: output, reasoning: undefined },
  };
}

/** Each word with the whitespace after it, so the deltas concatenate back to the reply exactly. */
export function wordDeltas(text: string): string[] {
  return text.match(/\s+|\S+\s*/g) ?? [];
}

/**
 * The built-in model used when no provider is configured: no network, no randomness, same prompt → same
 * reply. It never calls tools; tool definitions in the call are ignored.
 */
export class OfflineLanguageModel implements LanguageModelV4 {
  readonly specificationVersion = 'v4';
  readonly provider = 'berth';
  readonly modelId = OFFLINE_MODEL_ID;
  readonly supportedUrls: Record<string, RegExp[]> = {};

  async doGenerate(options: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> {
    options.abortSignal?.throwIfAborted();
    const reply = offlineReply(options.prompt);
    return {
      content: [{ type: 'text', text: reply }],
      finishReason: stop,
      usage: usageOf(options, reply),
      response: { modelId: OFFLINE_MODEL_ID },
      warnings: [],
    };
  }

  async doStream(options: LanguageModelV4CallOptions): Promise<LanguageModelV4StreamResult> {
    options.abortSignal?.throwIfAborted();
    const reply = offlineReply(options.prompt);
    const parts: LanguageModelV4StreamPart[] = [
      { type: 'stream-start', warnings: [] },
      { type: 'response-metadata', modelId: OFFLINE_MODEL_ID },
      { type: 'text-start', id: 'text-0' },
      ...wordDeltas(reply).map(
        (delta): LanguageModelV4StreamPart => ({ type: 'text-delta', id: 'text-0', delta }),
      ),
      { type: 'text-end', id: 'text-0' },
      { type: 'finish', finishReason: stop, usage: usageOf(options, reply) },
    ];
    const stream = new ReadableStream<LanguageModelV4StreamPart>({
      start(controller) {
        for (const part of parts) controller.enqueue(part);
        controller.close();
      },
    });
    return { stream };
  }
}

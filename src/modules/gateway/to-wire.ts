import type {
  LanguageModelV4Content,
  LanguageModelV4FinishReason,
  LanguageModelV4StreamPart,
  LanguageModelV4Usage,
} from '@ai-sdk/provider';
import type { CompletionResponse, FinishReason, WireToolCall } from './gateway.schemas.js';

/** What every completion and chunk of one call carries. */
export interface WireMeta {
  id: string;
  created: number;
  model: string;
  fingerprint: string;
}

export interface WireUsage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export const tokensOf = (usage: LanguageModelV4Usage | undefined) => ({
  inputTokens: usage?.inputTokens.total ?? 0,
  outputTokens: usage?.outputTokens.total ?? 0,
});

export const usageWire = (usage: WireUsage) => ({
  prompt_tokens: usage.inputTokens,
  completion_tokens: usage.outputTokens,
  total_tokens: usage.inputTokens + usage.outputTokens,
  cost_usd: usage.costUsd,
});

/** OpenAI's finish reason; a call that asked for tools says so whatever the provider's raw reason. */
export function finishReasonOf(
  reason: LanguageModelV4FinishReason | undefined,
  toolCalls: number,
): FinishReason {
  if (toolCalls > 0) return 'tool_calls';
  switch (reason?.unified) {
    case 'length':
      return 'length';
    case 'content-filter':
      return 'content_filter';
    case 'tool-calls':
      return 'tool_calls';
    default:
      return 'stop';
  }
}

// Provider-executed calls (a provider's own web search) are the provider's business, not the client's.
export const clientToolCalls = (content: LanguageModelV4Content[]): WireToolCall[] =>
  content.flatMap((part) =>
    part.type === 'tool-call' && !part.providerExecuted
      ? [
          {
            id: part.toolCallId,
            type: 'function' as const,
            function: { name: part.toolName, arguments: part.input },
          },
        ]
      : [],
  );

export const textOfContent = (content: LanguageModelV4Content[]): string =>
  content.map((part) => (part.type === 'text' ? part.text : '')).join('');

export function completionOf(
  meta: WireMeta,
  answer: { text: string; toolCalls: WireToolCall[]; finish: FinishReason; usage: WireUsage },
): CompletionResponse {
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    system_fingerprint: meta.fingerprint,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          // OpenAI sends null beside tool calls when the model said nothing.
          content: answer.text === '' && answer.toolCalls.length > 0 ? null : answer.text,
          refusal: null,
          ...(answer.toolCalls.length > 0 ? { tool_calls: answer.toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: answer.finish,
      },
    ],
    usage: usageWire(answer.usage),
  };
}

interface OpenCall {
  index: number;
  arguments: string;
}

/**
 * Turns the AI SDK's stream parts into OpenAI chunks: text as `delta.content`, tool calls as
 * `delta.tool_calls` (the first chunk of a call with its id and name, then argument pieces), as
 * OpenAI streams them. With `holdText` the text is kept for the caller to check before it is sent.
 */
export class ChunkTranslator {
  readonly calls: WireToolCall[] = [];
  text = '';
  finish: LanguageModelV4FinishReason | undefined;
  usage: LanguageModelV4Usage | undefined;
  private readonly open = new Map<string, OpenCall>();

  constructor(
    private readonly meta: WireMeta,
    private readonly holdText: boolean,
  ) {}

  chunk(delta: object, finish: FinishReason | null = null) {
    return {
      id: this.meta.id,
      object: 'chat.completion.chunk' as const,
      created: this.meta.created,
      model: this.meta.model,
      system_fingerprint: this.meta.fingerprint,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    };
  }

  /** The chunks one stream part becomes (often none). Throws the part's error. */
  translate(part: LanguageModelV4StreamPart): object[] {
    switch (part.type) {
      case 'text-delta':
        this.text += part.delta;
        return this.holdText || part.delta === '' ? [] : [this.chunk({ content: part.delta })];
      case 'tool-input-start':
        return part.providerExecuted ? [] : [this.startCall(part.id, part.toolName)];
      case 'tool-input-delta':
        return this.appendArguments(part.id, part.delta);
      case 'tool-call':
        return part.providerExecuted ? [] : this.completeCall(part.toolCallId, part.toolName, part.input);
      case 'finish':
        this.finish = part.finishReason;
        this.usage = part.usage;
        return [];
      case 'error':
        throw part.error;
      default:
        return [];
    }
  }

  private startCall(id: string, name: string): object {
    const index = this.open.size;
    this.open.set(id, { index, arguments: '' });
    this.calls.push({ id, type: 'function', function: { name, arguments: '' } });
    return this.chunk({ tool_calls: [{ index, id, type: 'function', function: { name, arguments: '' } }] });
  }

  private appendArguments(id: string, piece: string): object[] {
    const call = this.open.get(id);
    if (!call || piece === '') return [];
    call.arguments += piece;
    const wire = this.calls[call.index];
    if (wire) wire.function.arguments = call.arguments;
    return [this.chunk({ tool_calls: [{ index: call.index, function: { arguments: piece } }] })];
  }

  /** A provider that streamed no pieces (or only some) gets the rest sent here, so the client's arguments are whole. */
  private completeCall(id: string, name: string, input: string): object[] {
    const chunks = this.open.has(id) ? [] : [this.startCall(id, name)];
    const call = this.open.get(id) as OpenCall;
    if (input.startsWith(call.arguments) && input.length > call.arguments.length)
      chunks.push(...this.appendArguments(id, input.slice(call.arguments.length)));
    return chunks;
  }
}

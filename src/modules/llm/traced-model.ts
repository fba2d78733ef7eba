import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4Content,
  LanguageModelV4FinishReason,
  LanguageModelV4StreamPart,
  LanguageModelV4Usage,
} from '@ai-sdk/provider';
import { type Attributes, context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { wrapLanguageModel } from 'ai';
import type { ModelRef } from './llm.types.js';

export interface TracingOptions {
  ref: ModelRef;
  /** The model id the provider reports (`gen_ai.request.model`). */
  modelId: string;
  /** Record prompts and completions on the span (`gen_ai.input.messages`, `gen_ai.output.messages`). Default false. */
  traceContent: boolean;
}

/** Content attributes are capped: a span is not a transcript store, and collectors refuse huge spans. */
const MAX_CONTENT_CHARS = 16_384;

// gen_ai.provider.name well-known values; Berth's own names otherwise.
const providerNames: Record<string, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  google: 'gcp.gemini',
  ollama: 'ollama',
  'openai-compatible': 'openai_compatible',
  offline: 'berth.offline',
};

const tracer = () => trace.getTracer('berth.llm');

function requestAttributes(options: TracingOptions, params: LanguageModelV4CallOptions): Attributes {
  const provider = providerNames[options.ref.provider] ?? options.ref.provider;
  const attributes: Attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': provider,
    // The older name of the same attribute, which many backends still key their GenAI views on.
    'gen_ai.system': provider,
    'gen_ai.request.model': options.modelId,
  };
  if (params.maxOutputTokens !== undefined) attributes['gen_ai.request.max_tokens'] = params.maxOutputTokens;
  if (params.temperature !== undefined) attributes['gen_ai.request.temperature'] = params.temperature;
  if (params.topP !== undefined) attributes['gen_ai.request.top_p'] = params.topP;
  if (params.tools?.length) attributes['berth.llm.tools'] = params.tools.length;
  if (options.traceContent) attributes['gen_ai.input.messages'] = capped(params.prompt);
  return attributes;
}

function capped(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  return text.length > MAX_CONTENT_CHARS ? `${text.slice(0, MAX_CONTENT_CHARS)}…` : text;
}

function recordResult(
  span: Span,
  result: {
    usage?: LanguageModelV4Usage;
    finishReason?: LanguageModelV4FinishReason;
    modelId?: string;
    id?: string;
  },
): void {
  const { usage, finishReason } = result;
  if (usage?.inputTokens.total !== undefined)
    span.setAttribute('gen_ai.usage.input_tokens', usage.inputTokens.total);
  if (usage?.outputTokens.total !== undefined)
    span.setAttribute('gen_ai.usage.output_tokens', usage.outputTokens.total);
  if (finishReason)
    span.setAttribute('gen_ai.response.finish_reasons', [finishReason.raw ?? finishReason.unified]);
  if (result.modelId) span.setAttribute('gen_ai.response.model', result.modelId);
  if (result.id) span.setAttribute('gen_ai.response.id', result.id);
}

function recordFailure(span: Span, error: unknown): void {
  const code = (error as { code?: unknown } | null)?.code;
  const type = typeof code === 'string' ? code : error instanceof Error ? error.name : 'unknown';
  span.setAttribute('error.type', type);
  // The message only: an exception event would carry a stack, and a provider's error body may echo the prompt.
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}

const textOf = (content: LanguageModelV4Content[]) =>
  content
    .filter((part) => part.type === 'text')
    .map((part) => part.text)
    .join('');

function startSpan(options: TracingOptions, params: LanguageModelV4CallOptions): Span {
  return tracer().startSpan(`chat ${options.modelId}`, {
    kind: SpanKind.CLIENT,
    attributes: requestAttributes(options, params),
  });
}

/** Ends the span when the stream finishes, fails or is cancelled, with the usage of its finish part. */
function observeStream(
  stream: ReadableStream<LanguageModelV4StreamPart>,
  span: Span,
  options: TracingOptions,
): ReadableStream<LanguageModelV4StreamPart> {
  let text = '';
  let ended = false;
  const end = (error?: unknown) => {
    if (ended) return;
    ended = true;
    if (error !== undefined) recordFailure(span, error);
    if (options.traceContent)
      span.setAttribute('gen_ai.output.messages', capped([{ role: 'assistant', text }]));
    span.end();
  };
  const observer = new TransformStream<LanguageModelV4StreamPart, LanguageModelV4StreamPart>({
    transform(part, controller) {
      if (part.type === 'text-delta' && options.traceContent) text += part.delta;
      else if (part.type === 'response-metadata') recordResult(span, { modelId: part.modelId, id: part.id });
      else if (part.type === 'finish') recordResult(span, part);
      else if (part.type === 'error') recordFailure(span, part.error);
      controller.enqueue(part);
    },
    flush: () => end(),
    cancel: (reason) => end(reason ?? new Error('stream cancelled')),
  });
  return stream.pipeThrough(observer);
}

/**
 * One CLIENT span per model call (all its retries), after the GenAI semantic conventions: provider,
 * model, token usage and finish reason; prompt and completion text only when `traceContent` is on.
 * Outermost wrapper, so the provider's HTTP spans are its children and a breaker refusal is a failed span.
 */
export function withTracing(model: LanguageModelV4, options: TracingOptions): LanguageModelV4 {
  return wrapLanguageModel({
    model,
    middleware: {
      specificationVersion: 'v4',
      wrapGenerate: async ({ doGenerate, params }) => {
        const span = startSpan(options, params);
        try {
          const result = await context.with(trace.setSpan(context.active(), span), doGenerate);
          recordResult(span, { ...result, modelId: result.response?.modelId, id: result.response?.id });
          if (options.traceContent)
            span.setAttribute(
              'gen_ai.output.messages',
              capped([{ role: 'assistant', text: textOf(result.content) }]),
            );
          return result;
        } catch (error) {
          recordFailure(span, error);
          throw error;
        } finally {
          span.end();
        }
      },
      wrapStream: async ({ doStream, params }) => {
        const span = startSpan(options, params);
        try {
          const result = await context.with(trace.setSpan(context.active(), span), doStream);
          return { ...result, stream: observeStream(result.stream, span, options) };
        } catch (error) {
          recordFailure(span, error);
          span.end();
          throw error;
        }
      },
    },
  });
}

import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4StreamPart,
  LanguageModelV4StreamResult,
  LanguageModelV4Usage,
} from '@ai-sdk/provider';
import { AppError } from '../../platform/errors.js';
import type { CallRecord, WrapperDeps } from './call-context.js';
import { describeLlmError } from './llm-errors.js';

type Part = LanguageModelV4StreamPart;
type Reader = ReadableStreamDefaultReader<Part>;

/** A stream whose first meaningful part has arrived; `head` holds what was read so far. */
export interface OpenedStream {
  result: LanguageModelV4StreamResult;
  reader: Reader;
  head: Part[];
  ended: boolean;
}

// Parts a provider sends before (or regardless of) any answer; they do not prove the model is answering.
const preamble = new Set<Part['type']>(['stream-start', 'response-metadata', 'ping', 'raw']);

/**
 * Calls doStream and reads up to the first meaningful part, so a provider that accepts the request but
 * never answers (or answers with an error) fails inside the retry/breaker/timeout policies.
 */
export async function openStream(
  model: LanguageModelV4,
  params: LanguageModelV4CallOptions,
  signal: AbortSignal,
): Promise<OpenedStream> {
  const result = await model.doStream({ ...params, abortSignal: signal });
  const reader = result.stream.getReader();
  const head: Part[] = [];
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) return { result, reader, head, ended: true };
      if (next.value.type === 'error') throw next.value.error;
      head.push(next.value);
      if (!preamble.has(next.value.type)) return { result, reader, head, ended: false };
    }
  } catch (error) {
    reader.cancel().catch(() => undefined);
    throw error;
  }
}

async function readWithin(reader: Reader, ms: number): Promise<Awaited<ReturnType<Reader['read']>> | 'idle'> {
  let timer: NodeJS.Timeout | undefined;
  const idle = new Promise<'idle'>((resolve) => {
    timer = setTimeout(() => resolve('idle'), ms);
  });
  try {
    return await Promise.race([reader.read(), idle]);
  } finally {
    clearTimeout(timer);
  }
}

interface GuardContext {
  deps: WrapperDeps;
  record: CallRecord;
  /** Aborts the provider request: on idle timeout and when the consumer cancels. */
  lifetime: AbortController;
  callerSignal?: AbortSignal;
}

/**
 * The stream handed to the AI SDK: replays the head, then enforces the idle timeout between parts, turns
 * provider error parts and stream failures into AppErrors, and records the call when the stream ends.
 */
export function guardStream(opened: OpenedStream, context: GuardContext): ReadableStream<Part> {
  const { deps, record, lifetime, callerSignal } = context;
  const { reader } = opened;
  let usage: LanguageModelV4Usage | undefined;
  let failure: AppError | undefined;
  const pass = (controller: ReadableStreamDefaultController<Part>, part: Part): void => {
    if (part.type === 'finish') usage = part.usage;
    if (part.type === 'error') {
      failure ??= describeLlmError(part.error, { ref: deps.ref, secrets: deps.secrets });
      controller.enqueue({ type: 'error', error: failure });
      return;
    }
    controller.enqueue(part);
  };
  const end = (controller: ReadableStreamDefaultController<Part>): void => {
    if (failure) record.failWith(failure);
    else record.succeed(usage);
    controller.close();
  };
  return new ReadableStream<Part>({
    start(controller) {
      for (const part of opened.head) pass(controller, part);
      if (opened.ended) end(controller);
    },
    async pull(controller) {
      try {
        const next = await readWithin(reader, deps.timeoutMs);
        if (next === 'idle') throw idleTimeout(deps);
        if (next.done) end(controller);
        else pass(controller, next.value);
      } catch (error) {
        lifetime.abort();
        reader.cancel().catch(() => undefined);
        const failure = error instanceof AppError ? record.failWith(error) : record.fail(error, callerSignal);
        if (!(failure instanceof AppError)) return controller.error(failure);
        // An error part, like a failure before the first part, so callers handle both in one place (onError).
        controller.enqueue({ type: 'error', error: failure });
        controller.close();
      }
    },
    cancel(reason) {
      record.cancel();
      lifetime.abort();
      return reader.cancel(reason);
    },
  });
}

function idleTimeout(deps: WrapperDeps): AppError {
  const seconds = deps.timeoutMs / 1000;
  return new AppError(
    'llm_timeout',
    `The ${deps.ref.provider} model "${deps.ref.model}" stopped streaming (nothing received for ${seconds} s).`,
    { details: { provider: deps.ref.provider, model: deps.ref.model } },
  );
}

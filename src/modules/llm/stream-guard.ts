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

type Controller = ReadableStreamDefaultController<Part>;

/** Relays one provider stream, watching for silence, errors and the end. */
class StreamGuard {
  private usage: LanguageModelV4Usage | undefined;
  private providerError: AppError | undefined;

  constructor(
    private readonly opened: OpenedStream,
    private readonly context: GuardContext,
  ) {}

  start(controller: Controller): void {
    for (const part of this.opened.head) this.pass(controller, part);
    if (this.opened.ended) this.end(controller);
  }

  async pull(controller: Controller): Promise<void> {
    try {
      const next = await readWithin(this.opened.reader, this.context.deps.timeoutMs);
      if (next === 'idle') throw idleTimeout(this.context.deps);
      if (next.done) this.end(controller);
      else this.pass(controller, next.value);
    } catch (error) {
      this.abort(controller, error);
    }
  }

  cancel(reason: unknown): Promise<void> {
    this.context.record.cancel();
    this.context.lifetime.abort();
    return this.opened.reader.cancel(reason);
  }

  private pass(controller: Controller, part: Part): void {
    if (part.type === 'finish') this.usage = part.usage;
    if (part.type !== 'error') {
      controller.enqueue(part);
      return;
    }
    const { ref, secrets } = this.context.deps;
    this.providerError ??= describeLlmError(part.error, { ref, secrets });
    controller.enqueue({ type: 'error', error: this.providerError });
  }

  private end(controller: Controller): void {
    if (this.providerError) this.context.record.failWith(this.providerError);
    else this.context.record.succeed(this.usage);
    controller.close();
  }

  private abort(controller: Controller, error: unknown): void {
    const { record, lifetime, callerSignal } = this.context;
    lifetime.abort();
    this.opened.reader.cancel().catch(() => undefined);
    const failure = error instanceof AppError ? record.failWith(error) : record.fail(error, callerSignal);
    if (failure instanceof AppError) {
      // An error part, like a failure before the first part, so callers handle both in one place (onError).
      controller.enqueue({ type: 'error', error: failure });
      controller.close();
    } else {
      // A caller abort stays an abort, which the AI SDK reports as such.
      controller.error(failure);
    }
  }
}

/**
 * The stream handed to the AI SDK: replays the head, then enforces the idle timeout between parts, turns
 * provider error parts and stream failures into AppErrors, and records the call when the stream ends.
 */
export function guardStream(opened: OpenedStream, context: GuardContext): ReadableStream<Part> {
  const guard = new StreamGuard(opened, context);
  return new ReadableStream<Part>({
    start: (controller) => guard.start(controller),
    pull: (controller) => guard.pull(controller),
    cancel: (reason) => guard.cancel(reason),
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

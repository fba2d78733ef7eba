import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4GenerateResult,
  LanguageModelV4StreamResult,
} from '@ai-sdk/provider';
import { wrapLanguageModel } from 'ai';
import { CallRecord, type WrapperDeps } from './call-context.js';
import { guardStream, openStream } from './stream-guard.js';

const definedSignals = (...signals: Array<AbortSignal | undefined>): AbortSignal[] =>
  signals.filter((signal): signal is AbortSignal => signal !== undefined);

async function generate(
  model: LanguageModelV4,
  params: LanguageModelV4CallOptions,
  deps: WrapperDeps,
): Promise<LanguageModelV4GenerateResult> {
  const record = new CallRecord(deps);
  try {
    const result = await deps.policies.execute(
      async (signal) => model.doGenerate({ ...params, abortSignal: signal }),
      params.abortSignal,
    );
    record.succeed(result.usage);
    return result;
  } catch (error) {
    throw record.fail(error, params.abortSignal);
  }
}

async function stream(
  model: LanguageModelV4,
  params: LanguageModelV4CallOptions,
  deps: WrapperDeps,
): Promise<LanguageModelV4StreamResult> {
  const record = new CallRecord(deps);
  const lifetime = new AbortController();
  const callerSignal = params.abortSignal;
  try {
    // The attempt signal stops following the caller once the policies return, hence the caller's own signal.
    const opened = await deps.policies.execute(
      (signal) =>
        openStream(model, params, AbortSignal.any(definedSignals(signal, lifetime.signal, callerSignal))),
      callerSignal,
      true,
    );
    return { ...opened.result, stream: guardStream(opened, { deps, record, lifetime, callerSignal }) };
  } catch (error) {
    lifetime.abort();
    throw record.fail(error, callerSignal);
  }
}

/**
 * Wraps a provider model with timeout, retry, circuit breaker, error mapping and metrics. The AI SDK's own
 * retries should be off (`maxRetries: 0`): they would multiply ours and bypass the breaker.
 */
export function withResilience(model: LanguageModelV4, deps: WrapperDeps): LanguageModelV4 {
  return wrapLanguageModel({
    model,
    middleware: {
      specificationVersion: 'v4',
      wrapGenerate: ({ params }) => generate(model, params, deps),
      wrapStream: ({ params }) => stream(model, params, deps),
    },
  });
}

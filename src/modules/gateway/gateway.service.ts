import { randomUUID } from 'node:crypto';
import type { LanguageModelV4CallOptions } from '@ai-sdk/provider';
import { type AppError, isAppError } from '../../platform/errors.js';
import type { Publisher } from '../../platform/events/index.js';
import { type LlmRegistry, withCallContext } from '../llm/index.js';
import type { CompletionRequest, CompletionResponse } from './gateway.schemas.js';
import { callEventBase, type GatewayEvent } from './gateway-events.js';
import type { GatewayTarget } from './gateway-targets.js';
import { type OutputCheck, outputCheckFor } from './output-check.js';
import { checkPassthroughFields } from './request-fields.js';
import { toCallOptions } from './to-call-options.js';
import {
  ChunkTranslator,
  clientToolCalls,
  completionOf,
  finishReasonOf,
  textOfContent,
  tokensOf,
  usageWire,
  type WireMeta,
  type WireUsage,
} from './to-wire.js';

/** Who calls, from the request's actor. */
export interface GatewayCaller {
  tenantId: string;
  userId: string;
  keyId?: string;
  requestId: string;
  /** Aborts the provider call when the client goes away. */
  signal?: AbortSignal;
}

/** A request checked and translated, before any provider is asked. */
export interface PreparedCall {
  target: GatewayTarget;
  body: CompletionRequest;
  options: LanguageModelV4CallOptions;
  check?: OutputCheck;
}

/** Where a streamed call's chunks go; the first one starts the response. */
export interface ChunkSink {
  send(chunk: object): void;
}

export interface GatewayServiceDeps {
  llm: LlmRegistry;
  events: Publisher<GatewayEvent>;
}

/** What one call leaves for its gateway.call event. */
interface CallFacts {
  toolCalls: number;
  finish?: string;
  usage: WireUsage;
}

export function createGatewayService({ llm, events }: GatewayServiceDeps) {
  const meta = (target: GatewayTarget): WireMeta => ({
    id: `chatcmpl-${randomUUID()}`,
    created: Math.floor(Date.now() / 1000),
    model: target.name,
    // The agent's version, or the route's provider model, stands for OpenAI's backend fingerprint.
    fingerprint: target.agentVersion ?? `${target.ref.provider}/${target.ref.model}`,
  });

  const usageOf = (
    target: GatewayTarget,
    tokens: { inputTokens: number; outputTokens: number },
  ): WireUsage => ({
    ...tokens,
    costUsd: llm.costOf(target.ref, tokens),
  });

  function callOptions(call: PreparedCall, caller: GatewayCaller): LanguageModelV4CallOptions {
    const context = withCallContext({
      tenantId: caller.tenantId,
      agent: call.target.name,
      requestId: caller.requestId,
      userId: caller.userId,
    });
    return {
      ...call.options,
      providerOptions: { ...call.options.providerOptions, ...context.providerOptions },
      ...(caller.signal ? { abortSignal: caller.signal } : {}),
    };
  }

  /** Publishes the call's event whatever its end, and rethrows a failure. */
  async function audited<T>(
    call: PreparedCall,
    caller: GatewayCaller,
    run: (facts: CallFacts) => Promise<T>,
  ): Promise<T> {
    const started = performance.now();
    const facts: CallFacts = { toolCalls: 0, usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 } };
    let failure: AppError | undefined;
    try {
      return await run(facts);
    } catch (error) {
      failure = isAppError(error) ? error : undefined;
      throw error;
    } finally {
      const { target, body } = call;
      const failed = failure !== undefined || caller.signal?.aborted === true || facts.finish === undefined;
      events.publish({
        ...callEventBase(caller, target),
        operation: 'chat',
        stream: body.stream === true,
        tools: body.tools?.length ?? 0,
        tool_calls: facts.toolCalls,
        response_format: body.response_format?.type ?? 'text',
        ...(facts.finish ? { finish_reason: facts.finish } : {}),
        input_tokens: facts.usage.inputTokens,
        output_tokens: facts.usage.outputTokens,
        cost_usd: facts.usage.costUsd,
        duration_ms: Math.round(performance.now() - started),
        status: failed ? 'failed' : 'ok',
        ...(failed
          ? { error_code: failure?.code ?? (caller.signal?.aborted ? 'client_closed' : 'internal_error') }
          : {}),
      });
    }
  }

  return {
    /** Checks the request against what the target's provider honours; throws 400 before any call. */
    prepare(target: GatewayTarget, body: CompletionRequest): PreparedCall {
      checkPassthroughFields(body, target.ref.provider);
      const options = toCallOptions(body, target.ref.provider, target);
      return { target, body, options, check: outputCheckFor(body.response_format) };
    },

    complete(call: PreparedCall, caller: GatewayCaller): Promise<CompletionResponse> {
      return audited(call, caller, async (facts) => {
        const result = await llm.model(call.target.ref).doGenerate(callOptions(call, caller));
        const toolCalls = clientToolCalls(result.content);
        const text = textOfContent(result.content);
        const finish = finishReasonOf(result.finishReason, toolCalls.length);
        facts.usage = usageOf(call.target, tokensOf(result.usage));
        facts.toolCalls = toolCalls.length;
        // A tool call is the answer when the model makes one; the format governs its final text.
        const invalid = toolCalls.length === 0 ? call.check?.(text) : undefined;
        if (invalid) throw invalid;
        facts.finish = finish;
        return completionOf(meta(call.target), { text, toolCalls, finish, usage: facts.usage });
      });
    },

    /**
     * Streams the call's chunks into `sink`, ending with the finish chunk (and the usage chunk when
     * asked). A response_format's text is held until the whole answer passed its check.
     */
    stream(call: PreparedCall, caller: GatewayCaller, sink: ChunkSink): Promise<void> {
      return audited(call, caller, async (facts) => {
        const translator = new ChunkTranslator(meta(call.target), call.check !== undefined);
        let begun = false;
        const emit = (chunk: object) => {
          if (!begun) sink.send(translator.chunk({ role: 'assistant', content: '' }));
          begun = true;
          sink.send(chunk);
        };
        const result = await llm.model(call.target.ref).doStream(callOptions(call, caller));
        for await (const part of result.stream) {
          for (const chunk of translator.translate(part)) emit(chunk);
        }
        facts.usage = usageOf(call.target, tokensOf(translator.usage));
        facts.toolCalls = translator.calls.length;
        if (call.check && translator.calls.length === 0) {
          const invalid = call.check(translator.text);
          if (invalid) throw invalid;
        }
        if (call.check && translator.text !== '') emit(translator.chunk({ content: translator.text }));
        const finish = finishReasonOf(translator.finish, translator.calls.length);
        emit(translator.chunk({}, finish));
        if (call.body.stream_options?.include_usage)
          sink.send({ ...translator.chunk({}), choices: [], usage: usageWire(facts.usage) });
        facts.finish = finish;
      });
    },
  };
}
export type GatewayService = ReturnType<typeof createGatewayService>;

import type { SharedV4ProviderOptions } from '@ai-sdk/provider';
import { AppError, isAppError } from '../../platform/errors.js';
import type { Publisher } from '../../platform/events/index.js';
import type { LlmRegistry } from '../llm/index.js';
import type { EmbeddingRequest } from './gateway.schemas.js';
import type { GatewayCaller } from './gateway.service.js';
import { callEventBase, type GatewayEvent } from './gateway-events.js';
import type { GatewayTarget } from './gateway-targets.js';
import { unsupportedField } from './request-fields.js';

const KNOWN_FIELDS = new Set(['model', 'input', 'encoding_format', 'dimensions', 'user']);

// OpenAI's base64 encoding: the float32 values, little-endian (what the openai client asks for by default).
const base64Of = (vector: number[]): string => {
  const floats = new Float32Array(vector);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64');
};

function providerOptionsOf(body: EmbeddingRequest, provider: string): SharedV4ProviderOptions | undefined {
  if (body.user === undefined) return undefined;
  if (provider === 'openai') return { openai: { user: body.user } };
  if (provider === 'openai-compatible') return { openaiCompatible: { user: body.user } };
  throw unsupportedField('user', `provider ${provider} takes no end-user id`);
}

export function createEmbeddings({ llm, events }: { llm: LlmRegistry; events: Publisher<GatewayEvent> }) {
  return async (target: GatewayTarget, body: EmbeddingRequest, caller: GatewayCaller) => {
    const unknown = Object.keys(body).find((field) => !KNOWN_FIELDS.has(field));
    if (unknown) throw unsupportedField(unknown, 'is not supported by Berth');
    if (
      body.dimensions !== undefined &&
      !['openai', 'openai-compatible', 'google'].includes(target.ref.provider)
    )
      throw unsupportedField('dimensions', `provider ${target.ref.provider} cannot shorten embeddings`);
    const values = typeof body.input === 'string' ? [body.input] : body.input;
    const started = performance.now();
    let outcome: { tokens: number; costUsd: number } | undefined;
    let failure: unknown;
    try {
      const result = await llm.embed(target.ref, values, {
        context: {
          tenantId: caller.tenantId,
          agent: target.name,
          requestId: caller.requestId,
          userId: caller.userId,
        },
        dimensions: body.dimensions,
        providerOptions: providerOptionsOf(body, target.ref.provider),
        signal: caller.signal,
      });
      if (result.embeddings.length !== values.length)
        throw new AppError(
          'llm_error',
          `the provider returned ${result.embeddings.length} embeddings for ${values.length} inputs`,
        );
      outcome = result;
      const base64 = body.encoding_format === 'base64';
      return {
        object: 'list' as const,
        model: target.name,
        data: result.embeddings.map((embedding, index) => ({
          object: 'embedding' as const,
          index,
          embedding: base64 ? base64Of(embedding) : embedding,
        })),
        usage: { prompt_tokens: result.tokens, total_tokens: result.tokens, cost_usd: result.costUsd },
      };
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      events.publish({
        ...callEventBase(caller, target),
        operation: 'embeddings',
        stream: false,
        tools: 0,
        tool_calls: 0,
        response_format: 'text',
        input_tokens: outcome?.tokens ?? 0,
        output_tokens: 0,
        cost_usd: outcome?.costUsd ?? 0,
        duration_ms: Math.round(performance.now() - started),
        status: outcome ? 'ok' : 'failed',
        ...(outcome ? {} : { error_code: isAppError(failure) ? failure.code : 'internal_error' }),
      });
    }
  };
}

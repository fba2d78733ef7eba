import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { EmbeddingModelV4, LanguageModelV4 } from '@ai-sdk/provider';
import { createOllama } from 'ollama-ai-provider-v2';
import { AppError } from '../../platform/errors.js';
import type { ModelRef, ProviderName, ProviderSettings } from './llm.types.js';
import { OfflineLanguageModel } from './offline-model.js';

/** The environment variable an operator sets to give each provider its key. */
export const apiKeyEnvVar: Partial<Record<ProviderName, string>> = {
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
  google: 'GOOGLE_GENERATIVE_AI_API_KEY',
  'openai-compatible': 'BERTH_LLM_API_KEY',
};

function notConfigured(provider: ProviderName, what: string): AppError {
  return new AppError(
    'llm_unavailable',
    `LLM provider "${provider}" is not configured: set ${what} (or choose another provider with BERTH_LLM_PROVIDER).`,
    { details: { provider } },
  );
}

/** Where the provider's calls go: one circuit breaker per provider and base URL. */
export function endpointOf(provider: ProviderName, settings: ProviderSettings): string {
  switch (provider) {
    case 'offline':
      return 'builtin';
    case 'openai':
      return settings.openai.baseUrl ?? 'https://api.openai.com/v1';
    case 'anthropic':
      return settings.anthropic.baseUrl ?? 'https://api.anthropic.com/v1';
    case 'google':
      return settings.google.baseUrl ?? 'https://generativelanguage.googleapis.com/v1beta';
    case 'ollama':
      return settings.ollama.baseUrl;
    case 'openai-compatible':
      return settings.openaiCompatible.baseUrl ?? '';
  }
}

const trimSlash = (url: string): string => url.replace(/\/+$/, '');

/**
 * The bare AI SDK model for a ref, without resilience. Keys come only from `settings`, never from the
 * environment, so an unconfigured provider fails here with the variable to set instead of at call time.
 */
export function createProviderModel(ref: ModelRef, settings: ProviderSettings): LanguageModelV4 {
  switch (ref.provider) {
    case 'offline':
      return new OfflineLanguageModel();
    case 'openai': {
      const { apiKey, baseUrl } = settings.openai;
      if (!apiKey) throw notConfigured('openai', 'OPENAI_API_KEY');
      return createOpenAI({ apiKey, baseURL: baseUrl }).chat(ref.model);
    }
    case 'anthropic': {
      const { apiKey, baseUrl } = settings.anthropic;
      if (!apiKey) throw notConfigured('anthropic', 'ANTHROPIC_API_KEY');
      return createAnthropic({ apiKey, baseURL: baseUrl })(ref.model);
    }
    case 'google': {
      const { apiKey, baseUrl } = settings.google;
      if (!apiKey) throw notConfigured('google', 'GOOGLE_GENERATIVE_AI_API_KEY');
      return createGoogleGenerativeAI({ apiKey, baseURL: baseUrl })(ref.model);
    }
    case 'ollama':
      if (!settings.ollama.baseUrl) throw notConfigured('ollama', 'OLLAMA_BASE_URL');
      return createOllama({ baseURL: `${trimSlash(settings.ollama.baseUrl)}/api` })(ref.model);
    case 'openai-compatible': {
      const { apiKey, baseUrl } = settings.openaiCompatible;
      if (!baseUrl)
        throw notConfigured('openai-compatible', 'BERTH_LLM_BASE_URL (the server URL ending in /v1)');
      return createOpenAICompatible({
        name: 'openai-compatible',
        baseURL: baseUrl,
        apiKey,
        includeUsage: true,
        // json_schema response formats reach the server (vLLM, llama.cpp, LM Studio and Ollama take them).
        supportsStructuredOutputs: true,
      })(ref.model);
    }
  }
}

/** The bare AI SDK embedding model for a ref; AppError llm_unavailable for a provider without embeddings. */
export function createProviderEmbeddingModel(ref: ModelRef, settings: ProviderSettings): EmbeddingModelV4 {
  switch (ref.provider) {
    case 'openai': {
      const { apiKey, baseUrl } = settings.openai;
      if (!apiKey) throw notConfigured('openai', 'OPENAI_API_KEY');
      return createOpenAI({ apiKey, baseURL: baseUrl }).embeddingModel(ref.model);
    }
    case 'google': {
      const { apiKey, baseUrl } = settings.google;
      if (!apiKey) throw notConfigured('google', 'GOOGLE_GENERATIVE_AI_API_KEY');
      return createGoogleGenerativeAI({ apiKey, baseURL: baseUrl }).embeddingModel(ref.model);
    }
    case 'ollama':
      if (!settings.ollama.baseUrl) throw notConfigured('ollama', 'OLLAMA_BASE_URL');
      return createOllama({ baseURL: `${trimSlash(settings.ollama.baseUrl)}/api` }).textEmbeddingModel(
        ref.model,
      );
    case 'openai-compatible': {
      const { apiKey, baseUrl } = settings.openaiCompatible;
      if (!baseUrl)
        throw notConfigured('openai-compatible', 'BERTH_LLM_BASE_URL (the server URL ending in /v1)');
      return createOpenAICompatible({ name: 'openai-compatible', baseURL: baseUrl, apiKey }).embeddingModel(
        ref.model,
      );
    }
    default:
      throw new AppError('llm_unavailable', `LLM provider "${ref.provider}" has no embedding models`, {
        details: { provider: ref.provider },
      });
  }
}

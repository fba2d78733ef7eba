import { providerNames } from '../../platform/config/index.js';

// The list lives with the `llm` config section that names them (platform/config for now).
export { providerNames };
export type ProviderName = (typeof providerNames)[number];

export interface ModelRef {
  provider: ProviderName;
  model: string;
}

export interface ProviderSettings {
  openai: { apiKey?: string; baseUrl?: string };
  anthropic: { apiKey?: string; baseUrl?: string };
  google: { apiKey?: string; baseUrl?: string };
  /** e.g. http://127.0.0.1:11434 */
  ollama: { baseUrl: string };
  /** vLLM, llama.cpp, LM Studio… */
  openaiCompatible: { baseUrl?: string; apiKey?: string };
}

export interface LlmOptions {
  providers: ProviderSettings;
  /** One model call (non-streamed), or: until the first stream part AND max idle gap between parts. */
  timeoutMs: number;
  /** Retries of transient failures (network errors, 408/409/429/5xx), exponential backoff with jitter. */
  maxRetries: number;
  retryBaseDelayMs: number;
  breaker: { consecutiveFailures: number; halfOpenAfterMs: number };
  /** Put prompts and completions on model spans (the operator's opt-in, BERTH_TRACE_CONTENT). Default false. */
  traceContent?: boolean;
}

export const OFFLINE_MODEL_ID = 'berth-offline';

export type BreakerStateName = 'closed' | 'open' | 'half-open';

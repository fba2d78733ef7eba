export { extractiveSummary } from './extractive-summary.js';
export {
  type LlmOptions,
  type ModelRef,
  OFFLINE_MODEL_ID,
  type ProviderName,
  type ProviderSettings,
  providerNames,
} from './llm.types.js';
export { toLlmAppError } from './llm-errors.js';
export { createLlmRegistry, type LlmRegistry, type ProviderCircuit } from './llm-registry.js';

export { type LlmCallContext, withCallContext } from './call-context.js';
export { extractiveSummary } from './extractive-summary.js';
export {
  type LlmOptions,
  type ModelRef,
  OFFLINE_MODEL_ID,
  type ProviderName,
  type ProviderSettings,
} from './llm.types.js';
export { toLlmAppError } from './llm-errors.js';
export { createLlmRegistry, type LlmRegistry, type ProviderCircuit } from './llm-registry.js';
export type { BudgetGate, GatedCall, Reservation, Spend } from './metered-model.js';
export { createPriceTable, pricesSection, unpricedModels } from './prices.js';

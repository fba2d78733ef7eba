import { z } from 'zod';
import { type ModelRef, providerNames } from './llm.types.js';

const usdPerMillion = z.coerce.number().min(0).max(10_000);

/** One model's price: USD per million input (prompt) and output (completion) tokens. */
export const modelPrice = z.strictObject({ input: usdPerMillion, output: usdPerMillion });
export type ModelPrice = z.output<typeof modelPrice>;

/**
 * The `prices` section of berth.yaml: provider → model → price, e.g.
 * `prices: { openai: { gpt-4o-mini: { input: 0.15, output: 0.6 } } }`. The offline model costs 0 and
 * is never listed; a model without an entry costs 0 (with a warning at start, see unpricedModels).
 */
export const pricesSection = z
  .partialRecord(z.enum(providerNames), z.record(z.string().min(1).max(200), modelPrice))
  .default({})
  .superRefine((prices, ctx) => {
    if (prices.offline && Object.keys(prices.offline).length > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['offline'],
        message: 'the offline model is free; drop this entry',
      });
  });
export type Prices = z.output<typeof pricesSection>;

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface PriceTable {
  /** The model's price, or undefined when it has none (the offline model has a zero price). */
  priceOf(ref: ModelRef): ModelPrice | undefined;
  /** USD for this usage of the model; 0 for the offline model and for unpriced models. */
  costOf(ref: ModelRef, usage: TokenUsage): number;
}

const FREE: ModelPrice = { input: 0, output: 0 };

// Rounded to a billionth of a dollar, so sums of many small calls do not print as 0.30000000000000004.
const round = (usd: number) => Math.round(usd * 1e9) / 1e9;

export function createPriceTable(prices: Prices): PriceTable {
  const priceOf = (ref: ModelRef): ModelPrice | undefined =>
    ref.provider === 'offline' ? FREE : prices[ref.provider]?.[ref.model];
  return {
    priceOf,
    costOf(ref, usage) {
      const price = priceOf(ref);
      if (!price) return 0;
      return round((usage.inputTokens * price.input + usage.outputTokens * price.output) / 1_000_000);
    },
  };
}

/** The models in `refs` (agents' models) that have no price: each would be counted at 0 USD. */
export function unpricedModels(table: PriceTable, refs: readonly ModelRef[]): ModelRef[] {
  const seen = new Set<string>();
  return refs.filter((ref) => {
    const key = `${ref.provider}/${ref.model}`;
    if (seen.has(key) || table.priceOf(ref)) return false;
    seen.add(key);
    return true;
  });
}

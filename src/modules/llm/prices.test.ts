import { describe, expect, it } from 'vitest';
import { createPriceTable, pricesSection, unpricedModels } from './prices.js';

const table = createPriceTable(
  pricesSection.parse({
    openai: { 'gpt-4o-mini': { input: 0.15, output: 0.6 }, 'gpt-4o': { input: '2.5', output: '10' } },
    ollama: { llama3: { input: 0, output: 0 } },
  }),
);

describe('the price table', () => {
  it('prices input and output tokens per million, each at its own rate', () => {
    expect(
      table.costOf({ provider: 'openai', model: 'gpt-4o' }, { inputTokens: 1_000_000, outputTokens: 0 }),
    ).toBe(2.5);
    expect(
      table.costOf({ provider: 'openai', model: 'gpt-4o' }, { inputTokens: 0, outputTokens: 1_000_000 }),
    ).toBe(10);
    expect(
      table.costOf({ provider: 'openai', model: 'gpt-4o-mini' }, { inputTokens: 1_234, outputTokens: 567 }),
    ).toBe(0.0005253);
  });

  it('rounds to a billionth of a dollar, so small calls neither vanish nor print float noise', () => {
    expect(
      table.costOf({ provider: 'openai', model: 'gpt-4o-mini' }, { inputTokens: 1, outputTokens: 0 }),
    ).toBe(1.5e-7);
    expect(
      table.costOf({ provider: 'openai', model: 'gpt-4o-mini' }, { inputTokens: 3, outputTokens: 0 }),
    ).toBe(4.5e-7);
  });

  it('counts the offline model and unpriced models at 0, and names the unpriced ones', () => {
    const usage = { inputTokens: 10_000, outputTokens: 10_000 };
    expect(table.costOf({ provider: 'offline', model: 'berth-offline' }, usage)).toBe(0);
    expect(table.costOf({ provider: 'anthropic', model: 'claude-x' }, usage)).toBe(0);
    expect(
      unpricedModels(table, [
        { provider: 'offline', model: 'berth-offline' },
        { provider: 'ollama', model: 'llama3' },
        { provider: 'anthropic', model: 'claude-x' },
        { provider: 'anthropic', model: 'claude-x' },
        { provider: 'openai', model: 'gpt-4o' },
      ]),
    ).toEqual([{ provider: 'anthropic', model: 'claude-x' }]);
  });

  it('refuses negative prices, unknown providers and a price for the offline model', () => {
    expect(pricesSection.safeParse({ openai: { m: { input: -1, output: 1 } } }).success).toBe(false);
    expect(pricesSection.safeParse({ acme: { m: { input: 1, output: 1 } } }).success).toBe(false);
    expect(pricesSection.safeParse({ openai: { m: { input: 1 } } }).success).toBe(false);
    expect(pricesSection.safeParse({ offline: { 'berth-offline': { input: 1, output: 1 } } }).success).toBe(
      false,
    );
  });
});

import { describe, expect, it } from 'vitest';
import {
  builtinTools,
  createAnswerTool,
  createSummarizeTool,
  type ModelToolDeps,
  ToolRegistry,
} from '../tools/index.js';
import { literalInputProblem, type PlannedStep, validatePlan } from './plan.js';
import { rulePlan, urlsIn } from './rule-planner.js';

const unused = (): never => {
  throw new Error('not called by validation');
};
const modelDeps: ModelToolDeps = { summarize: unused, answer: unused };
const registry = new ToolRegistry([
  ...builtinTools(),
  createSummarizeTool(modelDeps),
  createAnswerTool(modelDeps),
]);
const fetchStep = (key: string, dependsOn: string[] = []): PlannedStep => ({
  key,
  tool: 'fetch_url',
  input: { url: 'https://a.example/' },
  dependsOn,
});

describe('rulePlan', () => {
  it('fetches and extracts every URL, then joins them in one summary', () => {
    const steps = rulePlan(
      'Compare https://a.example/x, and https://b.example/y. Also https://a.example/x again.',
    );
    expect(steps.map((s) => s.key)).toEqual(['fetch_1', 'extract_1', 'fetch_2', 'extract_2', 'summarize']);
    expect(steps[0]?.input).toEqual({ url: 'https://a.example/x' });
    expect(steps[4]?.dependsOn).toEqual(['extract_1', 'extract_2']);
  });

  it('answers from the text when there is no URL', () => {
    expect(rulePlan('What is a harbour?')).toEqual([
      { key: 'answer', tool: 'answer', input: { question: 'What is a harbour?' }, dependsOn: [] },
    ]);
  });

  it('finds bracketed IPv6 hosts and drops trailing punctuation', () => {
    expect(urlsIn('see http://[::1]:80/a). and https://x.example/b?c=1,')).toEqual([
      'http://[::1]:80/a',
      'https://x.example/b?c=1',
    ]);
  });

  it('makes plans that pass its own validation', () => {
    expect(validatePlan(rulePlan('Summarize https://a.example/ and https://b.example/'), registry).ok).toBe(
      true,
    );
  });
});

describe('validatePlan', () => {
  const rejects: Array<[string, PlannedStep[], RegExp]> = [
    [
      'an unknown tool',
      [{ key: 'x', tool: 'delete_everything', input: {}, dependsOn: [] }],
      /unknown tool "delete_everything"/,
    ],
    [
      'bad arguments',
      [{ key: 'x', tool: 'fetch_url', input: { link: 'https://a.example/' }, dependsOn: [] }],
      /bad input for fetch_url/,
    ],
    ['an unknown dependency', [fetchStep('a', ['ghost'])], /unknown step "ghost"/],
    ['a cycle', [fetchStep('a', ['b']), fetchStep('b', ['a'])], /cycle/],
    [
      'a reference without a dependency',
      [
        fetchStep('a'),
        { key: 'b', tool: 'extract_text', input: { content: { $from: 'a', path: 'body' } }, dependsOn: [] },
      ],
      /without depending/,
    ],
    ['too many steps', Array.from({ length: 21 }, (_, i) => fetchStep(`s${i}`)), /at most 20/],
    ['duplicate keys', [fetchStep('a'), fetchStep('a')], /share the key "a"/],
    ['no steps', [], /no steps/],
  ];
  it.each(rejects)('rejects %s', (_name, steps, message) => {
    const result = validatePlan(steps, registry);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.error.message).toMatch(message);
  });
});

describe('literalInputProblem', () => {
  it('names the literal input a tool refuses, with its limit', () => {
    const [summarize] = rulePlan(`Summarise https://a.example/ ${'x'.repeat(2_000)}`).slice(-1);
    expect(summarize && literalInputProblem(summarize, registry)).toEqual({
      step: 'summarize',
      tool: 'summarize',
      field: 'instruction',
      message: expect.any(String),
      limit: { maximum: 2_000, unit: 'characters' },
    });
  });

  it('ignores what is wrong only at a reference, which is known when the step runs', () => {
    // A reference where an array is expected: the placeholder is a string, but the step may still be right.
    const step: PlannedStep = {
      key: 'sum',
      tool: 'summarize',
      input: { texts: { $from: 'get', path: 'texts' }, instruction: 'short' },
      dependsOn: ['get'],
    };
    expect(literalInputProblem(step, registry)).toBeUndefined();
    expect(literalInputProblem({ ...step, input: { ...step.input, extra: 1 } }, registry)).toMatchObject({
      field: 'input',
    });
  });

  it('accepts every step of a rule plan that fits', () => {
    for (const step of rulePlan('Summarise https://a.example/ and https://b.example/')) {
      expect(literalInputProblem(step, registry)).toBeUndefined();
    }
  });
});

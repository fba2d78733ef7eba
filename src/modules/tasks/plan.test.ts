import { describe, expect, it } from 'vitest';
import {
  builtinTools,
  createAnswerTool,
  createSummarizeTool,
  type ModelToolDeps,
  ToolRegistry,
  unavailableBuiltins,
} from '../tools/index.js';
import { literalInputProblem, type PlannedStep, validatePlan } from './plan.js';
import { rulePlan } from './rule-planner.js';

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

  it('says which setting a built-in this configuration leaves out needs', () => {
    const bare = new ToolRegistry(builtinTools(), unavailableBuiltins());
    const post = {
      key: 'x',
      tool: 'http_post',
      input: { url: 'https://h.example/', body: {} },
      dependsOn: [],
    };
    const result = validatePlan([post], bare);
    expect(result.ok ? '' : result.error.message).toMatch(
      /http_post is not available: it needs BERTH_WEBHOOK_ALLOW/,
    );
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

describe('rulePlan: delivering the result', () => {
  const keys = (steps: PlannedStep[]) => steps.map((s) => `${s.key}:${s.tool}`);

  it('mails the summary of the links to the address after "email it to"', () => {
    const steps = rulePlan('Summarise https://a.example/x and email it to bob@example.com.');
    expect(keys(steps)).toEqual([
      'fetch_1:fetch_url',
      'extract_1:extract_text',
      'summarize:summarize',
      'send_email:send_email',
    ]);
    expect(steps[3]).toEqual({
      key: 'send_email',
      tool: 'send_email',
      input: {
        to: ['bob@example.com'],
        subject: 'Summarise https://a.example/x',
        text: { $from: 'summarize', path: 'summary' },
      },
      dependsOn: ['summarize'],
    });
  });

  it('mails the answer when there is nothing to fetch, to every listed recipient', () => {
    const steps = rulePlan(
      'What is a harbour? Send the answer to ann@example.com, Bo <bo@example.org> and cy@example.net',
    );
    expect(keys(steps)).toEqual(['answer:answer', 'send_email:send_email']);
    expect(steps[1]?.input).toMatchObject({
      to: ['ann@example.com', 'bo@example.org', 'cy@example.net'],
      subject: 'What is a harbour?',
      text: { $from: 'answer', path: 'answer' },
    });
    expect(steps[1]?.dependsOn).toEqual(['answer']);
  });

  it('posts the summary to the URL after "post it to", without fetching that URL', () => {
    const steps = rulePlan(
      'Digest https://a.example/news then post it to https://hooks.example/berth?team=7',
    );
    expect(keys(steps)).toEqual([
      'fetch_1:fetch_url',
      'extract_1:extract_text',
      'summarize:summarize',
      'post:http_post',
    ]);
    expect(steps[3]?.input).toEqual({
      url: 'https://hooks.example/berth?team=7',
      body: { subject: 'Digest https://a.example/news', result: { $from: 'summarize', path: 'summary' } },
    });
    expect(steps.filter((s) => s.tool === 'fetch_url').map((s) => s.input.url)).toEqual([
      'https://a.example/news',
    ]);
  });

  it('does both when asked to, each after the summary', () => {
    const steps = rulePlan(
      'Summarise https://a.example/ then email it to a@example.com and post it to https://h.example/x',
    );
    expect(keys(steps).slice(-2)).toEqual(['send_email:send_email', 'post:http_post']);
    expect(steps.slice(-2).map((s) => s.dependsOn)).toEqual([['summarize'], ['summarize']]);
    expect(steps.at(-2)?.input.to).toEqual(['a@example.com']);
  });

  it.each([
    ['an address that is only mentioned', 'Summarise https://a.example/ for bob@example.com'],
    ['a URL that is only read', 'Read https://a.example/ and https://b.example/'],
    ['"email" without a recipient after it', 'Summarise the email at https://a.example/mail'],
    ['an address far from the ask', `Email it to the team. ${'x'.repeat(100)} Contact: bob@example.com`],
    ['a mailto-less ftp link', 'Summarise https://a.example/ then post it to ftp://files.example/in'],
  ])('adds no delivery for %s', (_name, description) => {
    const tools = rulePlan(description).map((s) => s.tool);
    expect(tools).not.toContain('send_email');
    expect(tools).not.toContain('http_post');
  });

  it('keeps the subject to one short line', () => {
    const steps = rulePlan(`${'Long words '.repeat(30)}\nsecond line, email it to a@example.com`);
    const subject = String(steps.at(-1)?.input.subject);
    expect(subject.length).toBeLessThanOrEqual(120);
    expect(subject).not.toMatch(/\n/);
    expect(rulePlan('Email it to a@example.com').at(-1)?.input.subject).toBe('Task result');
  });

  it('makes delivery steps whose literal inputs the tools accept', () => {
    const withDelivery = new ToolRegistry([
      ...builtinTools({
        httpPost: { allow: ['hooks.example:443'] },
        sendEmail: { url: 'smtp://127.0.0.1:2525', from: 'berth@example.org' },
      }),
      createSummarizeTool(modelDeps),
      createAnswerTool(modelDeps),
    ]);
    const steps = rulePlan(
      'Summarise https://a.example/ then email it to a@example.com and post it to https://hooks.example/x',
    );
    for (const step of steps) expect(literalInputProblem(step, withDelivery), step.key).toBeUndefined();
  });
});

describe('validatePlan with side-effecting tools', () => {
  it('accepts them: the step waits for approval when it runs, not at planning', () => {
    const withMail = new ToolRegistry([
      ...builtinTools({ sendEmail: { url: 'smtp://127.0.0.1:2525', from: 'berth@example.org' } }),
    ]);
    const steps: PlannedStep[] = [
      fetchStep('get'),
      {
        key: 'mail',
        tool: 'send_email',
        input: { to: ['a@example.com'], subject: 'Page', text: { $from: 'get', path: 'body' } },
        dependsOn: ['get'],
      },
    ];
    expect(validatePlan(steps, withMail)).toEqual({ ok: true, value: steps });
    const badAddress = [
      { ...(steps[1] as PlannedStep), input: { to: ['nobody'], subject: 's', text: 't' }, dependsOn: [] },
    ];
    expect(validatePlan(badAddress, withMail)).toMatchObject({
      ok: false,
      error: { index: 0, field: 'input.to.0' },
    });
  });

  it('refuses a destination taken from an earlier step: fetched content cannot choose where a side effect goes', () => {
    const tools = new ToolRegistry([
      ...builtinTools({
        httpPost: { allow: ['hooks.example:443'] },
        sendEmail: { url: 'smtp://127.0.0.1:2525', from: 'berth@example.org' },
      }),
    ]);
    const fromPage = { $from: 'get', path: 'body' };
    const mailTo: PlannedStep = {
      key: 'mail',
      tool: 'send_email',
      input: { to: [fromPage], subject: 's', text: 't' },
      dependsOn: ['get'],
    };
    const postTo: PlannedStep = {
      key: 'post',
      tool: 'http_post',
      input: { url: fromPage, body: {} },
      dependsOn: ['get'],
    };
    expect(validatePlan([fetchStep('get'), mailTo], tools)).toMatchObject({
      ok: false,
      error: { field: 'input.to.0' },
    });
    expect(validatePlan([fetchStep('get'), postTo], tools)).toMatchObject({
      ok: false,
      error: { field: 'input.url' },
    });
  });
});

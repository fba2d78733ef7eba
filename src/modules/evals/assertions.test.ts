import { describe, expect, it } from 'vitest';
import { checkAssertions } from './assertions.js';
import type { Observation } from './berth-client.js';
import type { Assertions } from './suite.schema.js';

const reply = (output: string, extra: Partial<Observation> = {}): Observation => ({
  ok: true,
  output,
  tools: [],
  latencyMs: 120,
  tokens: { input: 40, output: 60 },
  ...extra,
});
const verdicts = (a: Assertions, obs: Observation) =>
  checkAssertions(a, obs).map((r) => [r.assertion, r.passed, r.message] as const);
const passedAll = (a: Assertions, obs: Observation) => checkAssertions(a, obs).every((r) => r.passed);

describe('eval assertions', () => {
  it('contains and not_contains ignore case and say what was missing or found', () => {
    const obs = reply('Harbours shelter SHIPS from storms.');
    expect(passedAll({ contains: ['ships from storms'], not_contains: ['lemon cake'] }, obs)).toBe(true);
    expect(verdicts({ contains: ['lighthouse'], not_contains: ['storms'] }, obs)).toEqual([
      ['contains', false, 'no "lighthouse" in "Harbours shelter SHIPS from storms."'],
      ['not_contains', false, 'contains "storms": …"Harbours shelter SHIPS from storms."…'],
    ]);
  });

  it('regex and not_regex take /source/flags', () => {
    const obs = reply('Answer: 42');
    expect(passedAll({ regex: ['^Answer: \\d+$', '/answer/i'], not_regex: ['sk-[a-z]{10}'] }, obs)).toBe(
      true,
    );
    expect(verdicts({ regex: ['^answer'], not_regex: ['\\d+'] }, obs)).toEqual([
      ['regex', false, 'nothing matches ^answer in "Answer: 42"'],
      ['not_regex', false, '"42" matches \\d+'],
    ]);
  });

  it('json_schema parses the output (also one fenced block) and names what does not fit', () => {
    const schema = {
      type: 'object',
      required: ['title', 'tags'],
      properties: {
        title: { type: 'string' },
        tags: { type: 'array', items: { type: 'string' }, minItems: 1 },
      },
      additionalProperties: false,
    };
    expect(passedAll({ json_schema: schema }, reply('{"title":"Harbours","tags":["sea"]}'))).toBe(true);
    expect(
      passedAll({ json_schema: schema }, reply('```json\n{"title":"Harbours","tags":["sea"]}\n```')),
    ).toBe(true);
    expect(verdicts({ json_schema: schema }, reply('{"title":3,"tags":[],"extra":true}'))[0]?.[2]).toBe(
      'the JSON does not fit the schema: (the whole value) must NOT have additional properties; /title must be string; /tags must NOT have fewer than 1 items',
    );
    expect(verdicts({ json_schema: schema }, reply('Here is your JSON: {"title":"x"}'))[0]?.[2]).toMatch(
      /^the output is not JSON \(/,
    );
  });

  it('tools: exactly these calls in this order, arguments as a subset, failures with their code', () => {
    const obs = reply('done', {
      tools: [
        { tool: 'fetch_url', input: { url: 'http://a.example/x', timeoutMs: 5000 }, ok: true },
        { tool: 'extract_text', input: {}, ok: true },
        { tool: 'fetch_url', input: { url: 'http://169.254.169.254/' }, ok: false, error: 'ssrf_blocked' },
      ],
    });
    const expected = [
      { tool: 'fetch_url', input: { url: 'http://a.example/x' }, ok: true },
      { tool: 'extract_text' },
      { tool: 'fetch_url', error: 'ssrf_blocked' },
    ];
    expect(passedAll({ tools: expected }, obs)).toBe(true);
    const [, , third] = expected;
    const message = (tools: Assertions['tools']) => verdicts({ tools }, obs)[0]?.[2];
    expect(message([{ tool: 'fetch_url' }, { tool: 'extract_text' }])).toMatch(
      /^unexpected call 3: fetch_url\(\{"url":"http:\/\/169\.254\.169\.254\/"\}\) failed: ssrf_blocked \(call 3\); expected fetch_url → extract_text; got /,
    );
    expect(message([{ tool: 'fetch_url', input: { url: 'http://b.example/' } }])).toMatch(
      /^fetch_url with \{"url":"http:\/\/a\.example\/x","timeoutMs":5000\}, not \{"url":"http:\/\/b\.example\/"\} \(call 1\)/,
    );
    expect(message([expected[0], { tool: 'summarize' }, third] as Assertions['tools'])).toMatch(
      /^extract_text instead of summarize \(call 2\)/,
    );
    expect(message([...expected, { tool: 'summarize' }] as Assertions['tools'])).toMatch(
      /^call 4 missing: expected summarize/,
    );
    expect(
      message([expected[0], expected[1], { tool: 'fetch_url', error: 'timeout' }] as Assertions['tools']),
    ).toMatch(/^fetch_url failed with ssrf_blocked, not timeout/);
    expect(verdicts({ tools: [] }, obs)[0]?.[1]).toBe(false);
    expect(verdicts({ tools: [] }, reply('no tools'))[0]).toEqual(['tools', true, 'no tool was called']);
  });

  it('limits latency and tokens, and fails a limit nobody measured', () => {
    const obs = reply('ok', { latencyMs: 1500, tokens: { input: 700, output: 400 } });
    expect(verdicts({ max_latency_ms: 1000, max_tokens: 1000 }, obs)).toEqual([
      ['max_latency_ms', false, 'took 1500 ms (limit 1000 ms)'],
      ['max_tokens', false, 'spent 1100 tokens (limit 1000)'],
    ]);
    expect(passedAll({ max_latency_ms: 1500, max_tokens: 1100 }, obs)).toBe(true);
    expect(verdicts({ max_tokens: 10 }, reply('ok', { tokens: undefined }))[0]?.[1]).toBe(false);
  });

  it('fails a refused turn or a failed task unless the case expects that error', () => {
    const refused = reply('169.254.169.254 is the cloud metadata address', {
      ok: false,
      error: { code: 'ssrf_blocked', message: '169.254.169.254 is the cloud metadata address' },
    });
    expect(verdicts({ contains: ['metadata'] }, refused)[0]).toEqual([
      'outcome',
      false,
      'failed with ssrf_blocked: 169.254.169.254 is the cloud metadata address',
    ]);
    expect(passedAll({ error: 'ssrf_blocked', contains: ['metadata'] }, refused)).toBe(true);
    expect(verdicts({ error: 'llm_timeout' }, refused)[0]?.[2]).toBe(
      'failed with ssrf_blocked, not llm_timeout',
    );
    expect(verdicts({ error: 'ssrf_blocked' }, reply('fetched it'))[0]).toEqual([
      'error',
      false,
      'succeeded; expected the error ssrf_blocked',
    ]);
  });
});

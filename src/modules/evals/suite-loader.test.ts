import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSuite, parseSuite } from './suite-loader.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

const problems = (yaml: string) => {
  const parsed = parseSuite(yaml, 'evals/x.yaml');
  if (parsed.ok) throw new Error('the suite was accepted');
  return parsed.error.problems;
};

describe('eval suite loader', () => {
  it('reads the shipped suites: names, inputs, defaults and lists', () => {
    for (const name of ['golden', 'adversarial']) {
      const suite = loadSuite(name, REPO);
      if (!suite.ok) throw new Error(suite.error.message);
      expect(suite.value.name).toBe(name);
      expect(suite.value.file).toBe(`evals/${name}.yaml`);
      expect(suite.value.cases.length).toBeGreaterThan(5);
      for (const c of suite.value.cases) expect(Object.keys(c.assert).length, c.id).toBeGreaterThan(0);
    }
    const parsed = parseSuite(
      'cases:\n  - id: one\n    chat: hi\n    assert: { contains: Hi }\n',
      'evals/mini.yaml',
    );
    expect(parsed.ok && parsed.value).toMatchObject({
      name: 'mini',
      timeout_ms: 60_000,
      cases: [{ id: 'one', chat: ['hi'], assert: { contains: ['Hi'] } }],
    });
  });

  it('names the file, line, case and field of an unknown field, with the fields allowed', () => {
    const yaml = [
      'suite: x',
      'cases:',
      '  - id: first',
      '    chat: hi',
      '    assert:',
      '      contain: hello',
      '',
    ].join('\n');
    expect(problems(yaml)).toEqual([
      'evals/x.yaml:6: case "first" (cases[0]): assert.contain: unknown field; allowed: contains, not_contains, regex, not_regex, json_schema, tools, max_latency_ms, max_tokens, judge, error',
    ]);
  });

  it('refuses a case without an input, with both, without an id, and one without assertions', () => {
    const yaml = [
      'cases:',
      '  - id: none',
      '    assert: { contains: a }',
      '  - id: both',
      '    chat: a',
      '    task: b',
      '    assert: { contains: a }',
      '  - chat: a',
      '    assert: { contains: a }',
    ].join('\n');
    expect(problems(yaml)).toEqual([
      'evals/x.yaml:2: case "none" (cases[0]): chat: give exactly one input: chat or task',
      'evals/x.yaml:5: case "both" (cases[1]): chat: give exactly one input: chat or task',
      'evals/x.yaml:8: cases[2]: id: is required',
    ]);
    expect(problems('cases:\n  - id: empty\n    chat: a\n    assert: {}\n')).toEqual([
      'evals/x.yaml:4: case "empty" (cases[0]): assert: needs at least one assertion',
    ]);
  });

  it('compiles patterns and JSON Schemas up front, and refuses duplicate ids and fixtures that do not exist', () => {
    const yaml = [
      'cases:',
      '  - id: a',
      '    chat: hi',
      '    assert:',
      "      regex: ['ok', '([unclosed']",
      '  - id: a',
      '    task: Summarise {{fixtures}}/page',
      '    assert:',
      '      json_schema: { type: objekt }',
    ].join('\n');
    const found = problems(yaml);
    expect(found).toHaveLength(4);
    expect(found[0]).toMatch(
      /^evals\/x\.yaml:5: case "a" \(cases\[0\]\): assert\.regex\[1\]: invalid regular expression: /,
    );
    expect(found[1]).toBe('evals/x.yaml:6: case "a" (cases[1]): id: "a" is used by an earlier case');
    expect(found[2]).toMatch(
      /^evals\/x\.yaml:9: case "a" \(cases\[1\]\): assert\.json_schema: not a valid JSON Schema: /,
    );
    expect(found[3]).toBe(
      'evals/x.yaml:6: case "a" (cases[1]): uses {{fixtures}} but the suite has no fixtures',
    );
  });

  it('says where the YAML itself is broken, and what a wrong type is', () => {
    expect(problems('cases:\n  - id: a\n    chat: "unclosed\n')).toEqual([
      'evals/x.yaml:4:1: invalid YAML: Missing closing "quote',
    ]);
    expect(problems('- just\n- a list\n')).toEqual(['evals/x.yaml: must be a mapping with a "cases" list']);
    expect(problems('cases:\n  - id: a\n    chat: [1]\n    assert: { max_tokens: lots }\n')).toEqual([
      'evals/x.yaml:3: case "a" (cases[0]): chat: must be a text or a list of texts',
      'evals/x.yaml:4: case "a" (cases[0]): assert.max_tokens: expected number, received string',
    ]);
  });

  it('names the suites there are when the one asked for is not found', () => {
    const missing = loadSuite('goldne', REPO);
    expect(missing.ok).toBe(false);
    if (!missing.ok) {
      expect(missing.error.problems[0]).toBe(
        'no suite "goldne": neither a file nor evals/goldne.yaml; suites in evals/: adversarial, golden',
      );
    }
  });
});

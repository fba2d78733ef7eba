import { describe, expect, it } from 'vitest';
import { stringIssues, stringProblem, undecodableQuery } from './string-guard.js';

describe('stringProblem', () => {
  it('refuses every C0 and C1 control and DEL, and nothing around them', () => {
    const refused = [0x00, 0x01, 0x07, 0x1b, 0x1f, 0x7f, 0x80, 0x85, 0x9f];
    for (const code of refused)
      expect(stringProblem(`a${String.fromCharCode(code)}b`, true)).toMatch(/control/);
    for (const text of ['plain', ' ~', '\u00a0', 'é', '日本語', '😀', '\u2028']) {
      expect(stringProblem(text, false)).toBeUndefined();
    }
  });

  it('lets TAB, LF and CR through in text (bodies) but not in ids and queries', () => {
    for (const whitespace of ['\t', '\n', '\r']) {
      expect(stringProblem(`line${whitespace}next`, true)).toBeUndefined();
      expect(stringProblem(`line${whitespace}next`, false)).toMatch(/control character U\+000[9AD]/);
    }
  });

  it('refuses lone surrogates, high or low, and keeps pairs', () => {
    expect(stringProblem('x\ud800y', true)).toMatch(/well-formed/);
    expect(stringProblem('x\udc00', true)).toMatch(/well-formed/);
    expect(stringProblem('\ud83d\ude00', true)).toBeUndefined();
  });
});

describe('stringIssues', () => {
  it('names each bad string by its path, keys included', () => {
    const body = {
      message: 'ok',
      messages: [{ content: 'a\u0000' }, { content: 'fine' }],
      meta: { 'k\u0007': 1 },
    };
    expect(stringIssues(body, 'body', true)).toEqual([
      { field: 'body.messages.0.content', message: 'contains the control character U+0000' },
      { field: 'body.meta', message: 'has a key that contains the control character U+0007' },
    ]);
  });

  it('walks a body nested far deeper than the call stack would allow', () => {
    let deep: unknown = 'bad\u0001';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const issues = stringIssues(deep, 'body', true);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toMatch(/U\+0001/);
  });

  it('reports at most ten issues', () => {
    expect(
      stringIssues(
        Array.from({ length: 50 }, () => '\u0000'),
        'body',
        true,
      ),
    ).toHaveLength(10);
  });
});

describe('undecodableQuery', () => {
  it('names query values whose percent-encoding is not UTF-8', () => {
    expect(undecodableQuery('/api/tasks?user_id=x%ED%A0%80&limit=5')).toEqual([
      { field: 'query.user_id', message: 'is not valid percent-encoded UTF-8' },
    ]);
    expect(undecodableQuery('/api/tasks?a=%zz')).toHaveLength(1);
    expect(undecodableQuery('/api/tasks?%ff=1')).toEqual([
      { field: 'query', message: 'is not valid percent-encoded UTF-8' },
    ]);
  });

  it('accepts good encodings, plus signs and a missing query', () => {
    expect(undecodableQuery('/api/tasks')).toEqual([]);
    expect(undecodableQuery('/api/tasks?q=a+b%20c&e=%F0%9F%98%80&flag')).toEqual([]);
  });
});

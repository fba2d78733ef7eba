import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ok } from '../../platform/errors.js';
import { defineTool, type Tool, type ToolContext, toolFailure } from './tool.js';
import { ToolRegistry } from './tool-registry.js';

const ctx = (signal = new AbortController().signal): ToolContext => ({
  signal,
  idempotencyKey: 'task-9:step-3',
  requestId: 'req-1',
});

const echo = defineTool({
  name: 'echo',
  description: 'Repeats a word',
  input: z.strictObject({ word: z.string().min(1), times: z.number().int().positive().default(1) }),
  output: z.object({ text: z.string(), key: z.string() }),
  sideEffects: false,
  timeoutMs: 1_000,
  maxOutputBytes: 200,
  run: async ({ word, times }, { idempotencyKey }) => ok({ text: word.repeat(times), key: idempotencyKey }),
});

const tool = (overrides: Partial<Tool>): Tool => ({ ...echo, ...overrides });

describe('ToolRegistry', () => {
  it('runs a tool with validated input and the caller context', async () => {
    const registry = new ToolRegistry([echo]);
    expect(await registry.invoke('echo', { word: 'ab', times: 2 }, ctx())).toEqual({
      ok: true,
      value: { text: 'abab', key: 'task-9:step-3' },
    });
  });

  it('answers bad input with invalid_tool_input and the issues', async () => {
    const result = await new ToolRegistry([echo]).invoke('echo', { word: '', extra: 1 }, ctx());
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'invalid_tool_input',
        retryable: false,
        details: {
          issues: [
            { path: 'word', code: 'too_small' },
            { path: '', code: 'unrecognized_keys' },
          ],
        },
      },
    });
  });

  it('times out a tool that ignores its signal, on time', async () => {
    const hang = tool({ name: 'hang', timeoutMs: 100, run: () => new Promise(() => {}) });
    const started = Date.now();
    const result = await new ToolRegistry([hang]).invoke('hang', { word: 'x' }, ctx());
    expect(result).toMatchObject({ ok: false, error: { code: 'tool_timeout', retryable: true } });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('reports a timeout even when the tool turns the abort into its own error', async () => {
    const polite = tool({
      name: 'polite',
      timeoutMs: 50,
      run: (_input, { signal }) =>
        new Promise((resolve) =>
          signal.addEventListener('abort', () => resolve(toolFailure('fetch_failed', 'aborted'))),
        ),
    });
    const result = await new ToolRegistry([polite]).invoke('polite', { word: 'x' }, ctx());
    expect(result).toMatchObject({ ok: false, error: { code: 'tool_timeout' } });
  });

  it('reports cancellation by the caller as tool_aborted', async () => {
    const controller = new AbortController();
    const hang = tool({ name: 'hang', run: () => new Promise(() => {}) });
    const pending = new ToolRegistry([hang]).invoke('hang', { word: 'x' }, ctx(controller.signal));
    controller.abort();
    expect(await pending).toMatchObject({ ok: false, error: { code: 'tool_aborted', retryable: true } });
  });

  it('refuses output over the byte cap', async () => {
    const result = await new ToolRegistry([echo]).invoke('echo', { word: 'é', times: 100 }, ctx());
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'output_too_large', details: { bytes: 233, limit: 200 } },
    });
  });

  it('refuses output that breaks the output schema', async () => {
    const liar = tool({ name: 'liar', run: async () => ok({ text: 42 }) });
    const result = await new ToolRegistry([liar]).invoke('liar', { word: 'x' }, ctx());
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_tool_output', retryable: false } });
  });

  it.each([
    ['an Error, asynchronously', async () => Promise.reject(new Error('disk on fire'))],
    [
      'a string, synchronously',
      () => {
        throw 'disk on fire';
      },
    ],
  ])('turns %s thrown by a tool into tool_failed', async (_how, run) => {
    const result = await new ToolRegistry([tool({ name: 'broken', run })]).invoke(
      'broken',
      { word: 'x' },
      ctx(),
    );
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'tool_failed', message: 'broken failed: disk on fire', retryable: false },
    });
  });

  it("passes a tool's own error through unchanged", async () => {
    const error = {
      code: 'http_error',
      message: 'GET x answered 503',
      retryable: true,
      details: { status: 503 },
    };
    const failing = tool({ name: 'failing', run: async () => ({ ok: false, error }) });
    expect(await new ToolRegistry([failing]).invoke('failing', { word: 'x' }, ctx())).toEqual({
      ok: false,
      error,
    });
  });

  it('answers an unknown name with unknown_tool', async () => {
    expect(await new ToolRegistry().invoke('nope', {}, ctx())).toMatchObject({
      ok: false,
      error: { code: 'unknown_tool' },
    });
  });

  it('refuses a second tool with the same name, a bad name or a bad limit at start', () => {
    expect(() => new ToolRegistry([echo, echo])).toThrow('Tool "echo" is registered twice');
    expect(() => new ToolRegistry([tool({ name: 'has space' })])).toThrow(/must match/);
    expect(() => new ToolRegistry([tool({ timeoutMs: 0 })])).toThrow(/timeoutMs must be a positive number/);
  });

  it('lists tools with the JSON Schema of their input', () => {
    const registry = new ToolRegistry([echo, tool({ name: 'write', sideEffects: true })]);
    expect(registry.get('echo')).toBe(echo);
    const [first, second] = registry.list();
    expect(first).toMatchObject({ name: 'echo', description: 'Repeats a word', sideEffects: false });
    expect(first?.inputSchema).toMatchObject({
      type: 'object',
      properties: { word: { type: 'string', minLength: 1 }, times: { type: 'integer', default: 1 } },
      required: ['word'],
      additionalProperties: false,
    });
    expect(second).toMatchObject({ name: 'write', sideEffects: true });
  });
});

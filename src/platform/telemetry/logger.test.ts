import { Writable } from 'node:stream';
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installTestTracing, type TestTracing } from '../../../test/support/test-tracing.js';
import { createLogger } from './logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('writes one JSON object a line by default, with secrets redacted', () => {
    const out = capture();
    createLogger('info', out.stream).info({ apiKey: 'sk-secret', task_id: 't1' }, 'task created');
    const line = JSON.parse(out.lines[0] ?? '');
    expect(line).toMatchObject({ level: 30, msg: 'task created', task_id: 't1', apiKey: '[redacted]' });
  });

  it('writes readable lines in the pretty format, with the same redaction and no pid or hostname', () => {
    const out = capture();
    createLogger('info', out.stream, 'pretty').info({ apiKey: 'sk-secret', task_id: 't1' }, 'task created');
    const text = out.lines.join('');
    expect(text.trimStart().startsWith('{')).toBe(false);
    expect(text).toMatch(/INFO.*task created/);
    expect(text).toContain('task_id: "t1"');
    expect(text).toContain('[redacted]');
    expect(text).not.toContain('sk-secret');
    expect(text).not.toMatch(/pid|hostname/);
  });
});

describe('createLogger under tracing', () => {
  let tracing: TestTracing;
  beforeAll(() => {
    tracing = installTestTracing();
  });
  afterAll(() => tracing.uninstall());

  it("puts the active span's trace_id and span_id on every line, and none outside a span", async () => {
    const out = capture();
    const logger = createLogger('info', out.stream).child({ role: 'worker' });
    logger.info('before');
    const ids = await trace.getTracer('test').startActiveSpan('step', async (span) => {
      // After an await too: the ids follow the async context, not the call stack.
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.info({ step_id: 's1' }, 'inside');
      span.end();
      return span.spanContext();
    });
    logger.info('after');
    const [before, inside, after] = out.lines.map((line) => JSON.parse(line));
    expect(ids.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(inside).toMatchObject({
      msg: 'inside',
      step_id: 's1',
      role: 'worker',
      trace_id: ids.traceId,
      span_id: ids.spanId,
    });
    expect(before).not.toHaveProperty('trace_id');
    expect(after).not.toHaveProperty('trace_id');
    expect(after).not.toHaveProperty('span_id');
  });

  it('writes the ids in the pretty format too', () => {
    const out = capture();
    const logger = createLogger('info', out.stream, 'pretty');
    const traceId = trace.getTracer('test').startActiveSpan('request', (span) => {
      logger.info('inside');
      span.end();
      return span.spanContext().traceId;
    });
    expect(out.lines.join('')).toContain(`trace_id: "${traceId}"`);
  });
});

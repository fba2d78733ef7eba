import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
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

import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { scrubText } from './scrub.js';

const KEY = 'berth_Q2hlY2tpbmctdGhlLXNjcnViYmVyLWtleXM';
const lines = () => {
  const out: string[] = [];
  const stream = new Writable({
    write(chunk, _e, done) {
      out.push(String(chunk));
      done();
    },
  });
  return { out, stream };
};

describe('scrubText', () => {
  it.each([
    [`key ${KEY} refused`, 'key berth_[redacted] refused'],
    ['Authorization: Bearer eyJhbGciOiJFZERTQSJ9.e30.sig', 'Authorization: Bearer [redacted]'],
    ['smtp://mailer:hunter2-smtp@mail.example.com:587', 'smtp://[redacted]@mail.example.com:587'],
    ['sent to alice.smith+x@example.co.uk today', 'sent to [email] today'],
    [
      'Failed query: select 1 where a = $1\nparams: alice@example.com,42',
      'Failed query: select 1 where a = $1\nparams: [redacted]',
    ],
    ['prefix berth_abcdefghij only', 'prefix berth_abcdefghij only'],
  ])('%s', (input, expected) => {
    expect(scrubText(input)).toBe(expected);
  });
});

describe('the logger', () => {
  it('keeps planted secrets out of messages, fields, headers and errors', () => {
    const { out, stream } = lines();
    const logger = createLogger('info', stream);
    logger.info(
      { req: { headers: { authorization: `Bearer ${KEY}`, 'x-api-key': KEY, cookie: 's=1' } } },
      'in',
    );
    logger.info(
      { smtp: { url: 'smtp://u:hunter2-smtp@h' }, note: `for bob@example.com with ${KEY}` },
      `key ${KEY}`,
    );
    const failed = Object.assign(
      new Error('Failed query: insert into t values ($1)\nparams: bob@example.com,hunter2-smtp'),
      {
        params: ['bob@example.com', 'hunter2-smtp'],
      },
    );
    logger.error({ err: failed }, 'store failed');
    const text = out.join('');
    for (const secret of [KEY, 'hunter2-smtp', 'bob@example.com', 's=1']) expect(text).not.toContain(secret);
    expect(text).toContain('Failed query: insert into t values ($1)');
  });
});

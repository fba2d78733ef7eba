import { describe, expect, it } from 'vitest';
import { isStoreUnavailable } from './store-errors.js';

describe('isStoreUnavailable', () => {
  it('recognises a saturated pool and unreachable servers, also when wrapped', () => {
    expect(isStoreUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isStoreUnavailable(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe(true);
    const wrapped = new Error('Failed query: insert …', {
      cause: Object.assign(new Error('sorry, too many clients already'), { code: '53300' }),
    });
    expect(isStoreUnavailable(wrapped)).toBe(true);
  });

  it('leaves bugs and bad queries alone', () => {
    expect(isStoreUnavailable(new Error('boom'))).toBe(false);
    expect(isStoreUnavailable(Object.assign(new Error('syntax'), { code: '42601' }))).toBe(false);
    expect(isStoreUnavailable(undefined)).toBe(false);
  });
});

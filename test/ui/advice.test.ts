import { describe, expect, it } from 'vitest';
import { adviceFor } from '../../web/src/api/advice.js';

const error = (code: string, status: number) => ({ code, status, message: `${code} happened` });

describe('the UI advice for an API error', () => {
  it.each([
    ['task_not_found', 404, 'This task does not exist', undefined],
    ['conversation_not_found', 404, 'This conversation does not exist', 'new-conversation'],
    ['step_not_found', 404, 'Not found', undefined],
    ['forbidden', 403, 'The request was refused', undefined],
  ])('does not offer a retry for %s (%i), which would get the same answer', (code, status, title, action) => {
    const advice = adviceFor(error(code, status));
    expect(advice.title).toBe(title);
    expect(advice.action).toBe(action);
    expect(advice.hint).not.toMatch(/retry|server log/i);
  });

  it.each([
    ['server_error', 500],
    ['store_unavailable', 503],
    ['rate_limited', 429],
    ['request_timeout', 408],
  ])('offers a retry for %s (%i), which may pass next time', (code, status) => {
    expect(adviceFor(error(code, status)).action).toBe('retry');
  });
});

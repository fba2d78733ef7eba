import { describe, expect, it } from 'vitest';
import { decodeJobId, encodeJobId } from './bullmq-ids.js';

describe('BullMQ job ids', () => {
  const ids = ['outbox-17', '42', '0', '-1', 'a:b', '::', '%3A', '50%', '%25:%', 'j-', 'j-42', 'ünï code'];

  it('never gives BullMQ an id it refuses: one that reads as an integer or holds ":"', () => {
    for (const id of ids) {
      const stored = encodeJobId(id);
      expect(`${Number.parseInt(stored, 10)}`).not.toBe(stored);
      expect(stored).not.toContain(':');
    }
  });

  it('decodes every id back to itself, and distinct ids stay distinct', () => {
    expect(ids.map((id) => decodeJobId(encodeJobId(id)))).toEqual(ids);
    expect(new Set(ids.map(encodeJobId)).size).toBe(ids.length);
  });

  it('reads as the id it stands for', () => {
    expect(encodeJobId('outbox-17')).toBe('j-outbox-17');
    expect(encodeJobId('tenant:a')).toBe('j-tenant%3Aa');
    expect(encodeJobId('50%')).toBe('j-50%25');
  });
});

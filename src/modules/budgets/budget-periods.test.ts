import { describe, expect, it } from 'vitest';
import { periodsAt } from './budget-periods.js';

describe('budget periods', () => {
  it('are the UTC day and month, whatever the local time zone', () => {
    const { day, month } = periodsAt(new Date('2026-07-15T23:30:00-05:00'));
    expect(day).toEqual({ name: 'day', start: '2026-07-16', resetsAt: new Date('2026-07-17T00:00:00Z') });
    expect(month).toEqual({ name: 'month', start: '2026-07-01', resetsAt: new Date('2026-08-01T00:00:00Z') });
  });

  it('roll over at the last millisecond of a day, of a month and of a year', () => {
    expect(periodsAt(new Date('2026-12-31T23:59:59.999Z')).day.start).toBe('2026-12-31');
    const next = periodsAt(new Date('2027-01-01T00:00:00Z'));
    expect(next.day.start).toBe('2027-01-01');
    expect(next.month.start).toBe('2027-01-01');
    expect(periodsAt(new Date('2026-12-10T00:00:00Z')).month.resetsAt).toEqual(
      new Date('2027-01-01T00:00:00Z'),
    );
  });

  it('know February and leap years', () => {
    expect(periodsAt(new Date('2028-02-29T12:00:00Z')).day.resetsAt).toEqual(
      new Date('2028-03-01T00:00:00Z'),
    );
    expect(periodsAt(new Date('2027-02-28T12:00:00Z')).month.resetsAt).toEqual(
      new Date('2027-03-01T00:00:00Z'),
    );
  });
});

export type PeriodName = 'day' | 'month';

export interface Period {
  name: PeriodName;
  /** First day of the period, YYYY-MM-DD (UTC): budget_usage.period_start. */
  start: string;
  /** When the next period begins. */
  resetsAt: Date;
}

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The UTC day and month that `now` falls in. */
export function periodsAt(now: Date): { day: Period; month: Period } {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  return {
    day: { name: 'day', start: isoDate(Date.UTC(y, m, d)), resetsAt: new Date(Date.UTC(y, m, d + 1)) },
    month: { name: 'month', start: isoDate(Date.UTC(y, m, 1)), resetsAt: new Date(Date.UTC(y, m + 1, 1)) },
  };
}

import { describe, expect, it } from 'vitest';
import { MIX, parseSse } from '../../bench/soak-load.js';
import {
  asciiChart,
  GOALS,
  growth,
  lagP99Bound,
  type ModeRun,
  markdownReport,
  type ProcessSample,
  type TrafficSample,
  verdicts,
} from '../../bench/soak-report.js';

const DURATION = 100;
/** The goals, with RSS judged in these 100-s runs. */
const JUDGED = { ...GOALS, rssMinSeconds: 0 };

/** One sample a second for 100 s, RSS and lag as the given functions of time. */
function processSamples(rss: (t: number) => number, lag: (t: number) => number = () => 12): ProcessSample[] {
  return Array.from({ length: DURATION }, (_, t) => ({
    t: t + 1,
    rssMiB: rss(t + 1),
    heapUsedMiB: 40,
    lagP50Ms: 10.5,
    lagP90Ms: 11,
    lagP99Ms: lag(t + 1),
    lagMaxMs: lag(t + 1) * 2,
    cpuPercent: 10,
  }));
}

function traffic(okPerSecond: (t: number) => number, errorsAt: number[] = []): TrafficSample[] {
  return Array.from({ length: DURATION }, (_, t) => ({
    t: t + 1,
    okPerSecond: okPerSecond(t + 1),
    errors: errorsAt.includes(t + 1) ? 1 : 0,
    p50Ms: 20,
    p99Ms: 80,
    inFlight: 1,
    controlLagP99Ms: 11,
  }));
}

const run = (overrides: Partial<ModeRun> = {}): ModeRun => ({
  mode: 'embedded',
  processes: { start: processSamples(() => 200) },
  traffic: traffic(() => 4),
  errorKinds: {},
  operations: { chat: 400 },
  ...overrides,
});

const verdict = (r: ModeRun, prefix: string) =>
  verdicts(r, DURATION, JUDGED).find((v) => v.name.includes(prefix)) ?? expect.fail(`no verdict ${prefix}`);

describe('soak verdicts', () => {
  it('passes a steady run on every goal', () => {
    expect(verdicts(run(), DURATION, JUDGED).map((v) => [v.name, v.pass])).toEqual([
      ['embedded start: RSS growth after warm-up < 10 %', true],
      ['embedded start: event-loop p99 after warm-up < 50 ms', true],
      ['embedded: zero errors', true],
      ['embedded: throughput flat (last fifth within 10 % of the second)', true],
    ]);
  });

  it('ignores growth during the warm-up and fails growth of 10 % or more after it', () => {
    // Doubles in the first fifth, then flat: the warm-up hides it.
    const warming = processSamples((t) => (t < 20 ? 100 + 5 * t : 200));
    expect(verdict(run({ processes: { start: warming } }), 'RSS').pass).toBe(true);
    // Growing 0.3 MiB/s after the warm-up: from the tenth after it to the last tenth, +10.4 %.
    const leaking = processSamples((t) => (t < 20 ? 200 : 200 + 0.3 * (t - 20)));
    const failed = verdict(run({ processes: { start: leaking } }), 'RSS');
    expect(failed.pass).toBe(false);
    expect(failed.detail).toBe('201.5 → 222.5 MiB (+10.4 %)');
  });

  it('reports but does not judge RSS growth in a run shorter than rssMinSeconds', () => {
    const leaking = run({ processes: { start: processSamples((t) => 200 + t) } });
    const [short] = verdicts(leaking, DURATION, { ...GOALS, rssMinSeconds: 120 });
    expect(short).toMatchObject({ pass: true, judged: false });
    expect(short?.detail).toMatch(/\(\+3\d\.\d %\); not judged: a run under 2 min is still warming up$/);
    expect(verdicts(leaking, DURATION, { ...GOALS, rssMinSeconds: 100 })[0]?.pass).toBe(false);
    expect(GOALS.rssMinSeconds).toBe(600);
  });

  it('measures growth between medians, so one sample caught mid-GC does not decide it', () => {
    const spiky = processSamples((t) => (t === 95 ? 400 : 200));
    expect(growth(spiky, 'rssMiB', DURATION, 0.2).growth).toBe(0);
  });

  it('judges the event loop after the warm-up only', () => {
    const slowStart = processSamples(
      () => 200,
      (t) => (t < 20 ? 300 : 12),
    );
    expect(verdict(run({ processes: { start: slowStart } }), 'event-loop')).toMatchObject({
      pass: true,
      detail: '≤ 12.0 ms; per sample median 12.0 ms, worst 12.0 ms (81 samples)',
    });
  });

  it('fails the event loop when the samples cannot rule out a p99 of 50 ms or more', () => {
    // Every sample at 60 ms: the run's p99 is 60 ms whatever the bound.
    const slow = processSamples(
      () => 200,
      () => 60,
    );
    expect(verdict(run({ processes: { start: slow } }), 'event-loop').pass).toBe(false);
    // One sample in 81 with a p99 of 80 ms (max 160 ms) beside 12 ms ones: up to 10 % of its delays
    // exceed 50 ms, 0.12 % of the run's — within the 1 %, so the run's p99 is bounded by the calm samples' max.
    const oneSpike = processSamples(
      () => 200,
      (t) => (t === 60 ? 80 : 12),
    );
    expect(verdict(run({ processes: { start: oneSpike } }), 'event-loop')).toMatchObject({
      pass: true,
      detail: '≤ 24.0 ms; per sample median 12.0 ms, worst 80.0 ms (81 samples)',
    });
  });

  it('counts every error, warm-up included, and names their kinds', () => {
    const failed = verdict(
      run({ traffic: traffic(() => 4, [3]), errorKinds: { task_failed: 1 } }),
      'zero errors',
    );
    expect(failed).toMatchObject({ pass: false, detail: 'task_failed ×1' });
  });

  it('fails throughput whose last fifth falls more than 10 % below the second fifth', () => {
    expect(verdict(run({ traffic: traffic((t) => (t >= 80 ? 3.7 : 4)) }), 'throughput').pass).toBe(true);
    const failed = verdict(run({ traffic: traffic((t) => (t >= 80 ? 3.5 : 4)) }), 'throughput');
    expect(failed.pass).toBe(false);
    expect(failed.detail).toBe('4.00 → 3.50 ops/s (-12.5 %)');
  });

  it('fails a process with no samples rather than passing it', () => {
    const empty = verdicts(run({ processes: { start: [] } }), DURATION, JUDGED).filter((v) =>
      v.name.includes('start'),
    );
    expect(empty.map((v) => v.pass)).toEqual([false, false]);
  });
});

describe('lagP99Bound', () => {
  const sample = (p50: number, p90: number, p99: number, max: number): ProcessSample => ({
    t: 1,
    rssMiB: 1,
    heapUsedMiB: 1,
    lagP50Ms: p50,
    lagP90Ms: p90,
    lagP99Ms: p99,
    lagMaxMs: max,
    cpuPercent: 1,
  });

  it('is the p99 itself when every sample has the same delays', () => {
    expect(lagP99Bound([sample(10, 11, 20, 40), sample(10, 11, 20, 40)])).toBe(20);
  });

  it('is never below the true p99: a run whose slow tenth of samples are all slow has a high bound', () => {
    // 10 of 100 samples with every delay at 90 ms: 10 % of all delays are 90 ms, so the p99 is 90.
    const samples = Array.from({ length: 100 }, (_, i) =>
      i < 10 ? sample(90, 90, 90, 90) : sample(10, 11, 12, 20),
    );
    expect(lagP99Bound(samples)).toBe(90);
  });

  it('is NaN without samples', () => {
    expect(lagP99Bound([])).toBeNaN();
  });
});

describe('asciiChart', () => {
  it('draws each series with its own mark, highest value on the top row, time across', () => {
    const chart = asciiChart(
      'rss',
      'MiB',
      [
        { label: 'api', points: [0, 1, 2, 3].map((i) => ({ t: i * 25, v: 100 + i * 10 })) },
        { label: 'worker', points: [0, 1, 2, 3].map((i) => ({ t: i * 25, v: 50 })) },
      ],
      100,
      { width: 4, height: 5 },
    );
    const lines = chart.split('\n');
    expect(lines[0]).toBe('rss (MiB)   * api   o worker   @ overlap');
    // Rows 1–5 are the plot: 130 on top, 0 at the bottom.
    expect(lines[1]).toBe('    130 │  **');
    expect(lines.slice(1, 6).map((l) => l.slice(9))).toEqual(['  **', '**  ', 'oooo', '    ', '    ']);
    expect(lines[7]).toMatch(/^ {9}0 +1\.7 min$/);
  });

  it('says so when there is nothing to draw', () => {
    expect(asciiChart('lag', 'ms', [{ label: 'x', points: [] }], 10)).toBe('lag: no samples\n');
  });
});

describe('soak load', () => {
  it('mixes 5 chat turns, 1 streamed turn, 3 page tasks and 1 plain task in every 10 operations', () => {
    const count = (kind: string) => MIX.filter((m) => m === kind).length;
    expect([count('chat'), count('chat_sse'), count('task_pages'), count('task_plain')]).toEqual([
      5, 1, 3, 1,
    ]);
  });

  it('reads SSE events, skipping comments such as keep-alives', () => {
    const text =
      ': keep-alive\n\nevent: snapshot\ndata: {"a":1}\n\n: keep-alive\n\nevent: task.finished\ndata: {"status":"completed"}\n\n';
    expect(parseSse(text)).toEqual([
      { event: 'snapshot', data: { a: 1 } },
      { event: 'task.finished', data: { status: 'completed' } },
    ]);
  });
});

describe('markdownReport', () => {
  it('holds the tables, the verdicts and the charts', () => {
    const report = markdownReport([run()], DURATION, {
      started: new Date('2026-12-03T10:00:00Z'),
      minutes: 100 / 60,
      rate: 4,
      sampleSeconds: 1,
      machine: 'test machine',
      commit: 'abc123',
      modes: 'embedded',
    });
    expect(report).toMatch(/^## Soak — 2026-12-03 10:00 UTC/);
    expect(report).toContain('| embedded | start | 200.0 → 200.0 (+0.0 %) |');
    expect(report).toContain('| embedded: zero errors | pass | 0 |');
    expect(report).toContain('embedded RSS (MiB)');
    // The soak client's own event-loop delay, as the control for a busy machine.
    expect(report).toMatch(/\| 0 \| 80 \| 11\.0 \/ 11\.0 \|$/m);
    expect(report).toContain('o soak client (control)');
  });
});

import { describe, expect, it } from 'vitest';
import { MIX, parseSse } from '../../bench/soak-load.js';
import {
  asciiChart,
  growth,
  type ModeRun,
  markdownReport,
  type ProcessSample,
  type TrafficSample,
  verdicts,
} from '../../bench/soak-report.js';

const DURATION = 100;

/** One sample a second for 100 s, RSS and lag as the given functions of time. */
function processSamples(rss: (t: number) => number, lag: (t: number) => number = () => 12): ProcessSample[] {
  return Array.from({ length: DURATION }, (_, t) => ({
    t: t + 1,
    rssMiB: rss(t + 1),
    heapUsedMiB: 40,
    lagP99Ms: lag(t + 1),
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
  verdicts(r, DURATION).find((v) => v.name.includes(prefix)) ?? expect.fail(`no verdict ${prefix}`);

describe('soak verdicts', () => {
  it('passes a steady run on every goal', () => {
    expect(verdicts(run(), DURATION).map((v) => [v.name, v.pass])).toEqual([
      ['embedded start: RSS growth after warm-up < 10 %', true],
      ['embedded start: event-loop p99 < 50 ms in every sample after warm-up', true],
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

  it('measures growth between medians, so one sample caught mid-GC does not decide it', () => {
    const spiky = processSamples((t) => (t === 95 ? 400 : 200));
    expect(growth(spiky, 'rssMiB', DURATION, 0.2).growth).toBe(0);
  });

  it('fails the event loop on a single slow sample after the warm-up, not during it', () => {
    const slowStart = processSamples(
      () => 200,
      (t) => (t === 5 ? 300 : 12),
    );
    expect(verdict(run({ processes: { start: slowStart } }), 'event-loop').pass).toBe(true);
    const slowLater = processSamples(
      () => 200,
      (t) => (t === 60 ? 51 : 12),
    );
    const failed = verdict(run({ processes: { start: slowLater } }), 'event-loop');
    expect(failed.pass).toBe(false);
    expect(failed.detail).toMatch(/worst 51\.0 ms/);
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
    const empty = verdicts(run({ processes: { start: [] } }), DURATION).filter((v) =>
      v.name.includes('start'),
    );
    expect(empty.map((v) => v.pass)).toEqual([false, false]);
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
  });
});

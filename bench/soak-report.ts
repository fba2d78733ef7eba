// The soak's figures: samples over time, the verdicts against the goals, ASCII charts and a Markdown report.

/** One reading of one Berth process. */
export interface ProcessSample {
  /** Seconds since the load started. */
  t: number;
  rssMiB: number;
  heapUsedMiB: number;
  /** Event-loop delay since the previous scrape (prom-client resets its histogram on each): p50, p90, p99, max. */
  lagP50Ms: number;
  lagP90Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  /** CPU used since the previous sample, in % of one core. */
  cpuPercent: number;
}

/** What the load generator saw between two samples of one mode. */
export interface TrafficSample {
  t: number;
  /** Operations that finished well in this interval, per second. */
  okPerSecond: number;
  errors: number;
  /** Client-side latency of the operations that finished in this interval (ms). */
  p50Ms: number;
  p99Ms: number;
  inFlight: number;
  /**
   * The soak process's own event-loop delay p99 in this interval (same 10 ms sampling as prom-client's):
   * the control — it does little, so when it is slow too the machine was busy, not Berth.
   */
  controlLagP99Ms: number;
}

export interface ModeRun {
  mode: 'embedded' | 'distributed';
  /** Process name (start, api, worker) → its samples. */
  processes: Record<string, ProcessSample[]>;
  traffic: TrafficSample[];
  /** Error kind → count, over the whole run. */
  errorKinds: Record<string, number>;
  operations: Record<string, number>;
}

export interface Goals {
  /** Fraction of the run excluded from growth and event-loop verdicts (default 0.2). */
  warmUp: number;
  rssGrowth: number;
  lagP99Ms: number;
  throughputDrift: number;
  /**
   * Shortest run whose RSS growth is judged (default 10 min). In the 30-minute run of 2026-12-03 RSS
   * still climbed, or swung 170 ↔ 265 MiB with full collections, for the first 5–12 minutes: a
   * shorter run measures its warm-up, so its growth is reported but passes no judgement.
   */
  rssMinSeconds: number;
}

export const GOALS: Goals = {
  warmUp: 0.2,
  rssGrowth: 0.1,
  lagP99Ms: 50,
  throughputDrift: 0.1,
  rssMinSeconds: 600,
};

export interface Verdict {
  name: string;
  pass: boolean;
  /** false when the run cannot decide this goal (it then passes, and says so). */
  judged?: false;
  detail: string;
}

export const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

export const quantile = (xs: number[], q: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);

/** Samples whose time lies in [from, to) of a run lasting `duration` seconds, as fractions. */
const window = <T extends { t: number }>(xs: T[], duration: number, from: number, to: number) =>
  xs.filter((x) => x.t >= from * duration && (to >= 1 || x.t < to * duration));

/**
 * Growth from just after the warm-up to the end: the median of the samples in the tenth after the
 * warm-up against the median of the last tenth — medians, so one sample caught mid-GC moves neither.
 */
export function growth(
  samples: ProcessSample[],
  key: 'rssMiB' | 'heapUsedMiB',
  duration: number,
  warmUp: number,
) {
  const start = median(window(samples, duration, warmUp, warmUp + 0.1).map((s) => s[key]));
  const end = median(window(samples, duration, 0.9, 1).map((s) => s[key]));
  return { start, end, growth: end / start - 1 };
}

/**
 * An upper bound of the event-loop delay's p99 over all the samples together, from each sample's
 * p50, p90, p99 and max: the least x such that, counting for each sample at most the share of its
 * delays that can exceed x (none past its max, 1 % past its p99, 10 % past its p90, half past its
 * median, else all), at most 1 % of all delays exceed x. Samples weigh the same; a slow one holds
 * fewer delays than that (each delay is a tick that came late), so it is over-counted: the bound
 * stays on the safe side.
 */
export function lagP99Bound(samples: ProcessSample[]): number {
  if (samples.length === 0) return Number.NaN;
  const share = (s: ProcessSample, x: number) =>
    x >= s.lagMaxMs ? 0 : x >= s.lagP99Ms ? 0.01 : x >= s.lagP90Ms ? 0.1 : x >= s.lagP50Ms ? 0.5 : 1;
  const candidates = [
    ...new Set(samples.flatMap((s) => [s.lagP50Ms, s.lagP90Ms, s.lagP99Ms, s.lagMaxMs])),
  ].sort((a, b) => a - b);
  return (
    // The epsilon: 0.01 added n times overshoots 0.01 × n in floating point.
    candidates.find((x) => samples.reduce((n, s) => n + share(s, x), 0) <= 0.01 * samples.length + 1e-9) ??
    Number.NaN
  );
}

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;

export function verdicts(run: ModeRun, duration: number, goals: Goals = GOALS): Verdict[] {
  const out: Verdict[] = [];
  for (const [name, samples] of Object.entries(run.processes)) {
    const rss = growth(samples, 'rssMiB', duration, goals.warmUp);
    const rssName = `${run.mode} ${name}: RSS growth after warm-up < ${goals.rssGrowth * 100} %`;
    const rssDetail = `${rss.start.toFixed(1)} → ${rss.end.toFixed(1)} MiB (${pct(rss.growth)})`;
    if (duration < goals.rssMinSeconds)
      out.push({
        name: rssName,
        pass: true,
        judged: false,
        detail: `${rssDetail}; not judged: a run under ${goals.rssMinSeconds / 60} min is still warming up`,
      });
    else
      out.push({
        name: rssName,
        pass: Number.isFinite(rss.growth) && rss.growth < goals.rssGrowth,
        detail: rssDetail,
      });
    const measured = window(samples, duration, goals.warmUp, 1);
    const lags = measured.map((s) => s.lagP99Ms);
    const bound = lagP99Bound(measured);
    out.push({
      name: `${run.mode} ${name}: event-loop p99 after warm-up < ${goals.lagP99Ms} ms`,
      pass: Number.isFinite(bound) && bound < goals.lagP99Ms,
      detail: `≤ ${bound.toFixed(1)} ms; per sample median ${median(lags).toFixed(1)} ms, worst ${Math.max(...lags).toFixed(1)} ms (${lags.length} samples)`,
    });
  }
  const errors = run.traffic.reduce((n, s) => n + s.errors, 0);
  const kinds = Object.entries(run.errorKinds)
    .map(([kind, n]) => `${kind} ×${n}`)
    .join(', ');
  out.push({ name: `${run.mode}: zero errors`, pass: errors === 0, detail: errors ? kinds : '0' });
  const second = mean(window(run.traffic, duration, 0.2, 0.4).map((s) => s.okPerSecond));
  const last = mean(window(run.traffic, duration, 0.8, 1).map((s) => s.okPerSecond));
  const drift = last / second - 1;
  out.push({
    name: `${run.mode}: throughput flat (last fifth within ${goals.throughputDrift * 100} % of the second)`,
    pass: Number.isFinite(drift) && Math.abs(drift) <= goals.throughputDrift,
    detail: `${second.toFixed(2)} → ${last.toFixed(2)} ops/s (${pct(drift)})`,
  });
  return out;
}

export interface Series {
  label: string;
  points: Array<{ t: number; v: number }>;
}

const MARKS = ['*', 'o', '+', 'x', '#'];

/**
 * An ASCII line chart: time across (`width` columns, each the mean of the points that fall in it),
 * values up (`height` rows, from 0 or the lowest value to the highest). One mark per series.
 */
export function asciiChart(
  title: string,
  unit: string,
  series: Series[],
  duration: number,
  { width = 64, height = 10, fromZero = true } = {},
): string {
  const columns = series.map((s) =>
    Array.from({ length: width }, (_, c) => {
      const inColumn = s.points.filter(
        (p) => Math.min(width - 1, Math.floor((p.t / duration) * width)) === c,
      );
      return inColumn.length ? mean(inColumn.map((p) => p.v)) : Number.NaN;
    }),
  );
  const values = columns.flat().filter(Number.isFinite);
  if (values.length === 0) return `${title}: no samples\n`;
  const top = Math.max(...values);
  const bottom = fromZero ? Math.min(0, ...values) : Math.min(...values);
  const span = top - bottom || 1;
  const grid = Array.from({ length: height }, () => Array.from({ length: width }, () => ' '));
  columns.forEach((column, i) => {
    column.forEach((v, c) => {
      if (!Number.isFinite(v)) return;
      const row = height - 1 - Math.round(((v - bottom) / span) * (height - 1));
      const line = grid[row] as string[];
      line[c] = line[c] === ' ' ? (MARKS[i % MARKS.length] as string) : '@';
    });
  });
  const label = (v: number) => v.toFixed(v >= 100 ? 0 : 1).padStart(7);
  const rows = grid.map((cells, r) => {
    const v = top - (r / (height - 1)) * span;
    return `${r === 0 || r === height - 1 || r === Math.floor(height / 2) ? label(v) : ' '.repeat(7)} │${cells.join('')}`;
  });
  const minutes = (duration / 60).toFixed(duration < 600 ? 1 : 0);
  const axis = `${' '.repeat(8)}└${'─'.repeat(width)}\n${' '.repeat(9)}0${` ${minutes} min`.padStart(width - 1)}`;
  const legend = series.map((s, i) => `${MARKS[i % MARKS.length]} ${s.label}`).join('   ');
  return `${title} (${unit})   ${legend}${series.length > 1 ? '   @ overlap' : ''}\n${rows.join('\n')}\n${axis}\n`;
}

export function charts(run: ModeRun, duration: number): string {
  const per = (key: 'rssMiB' | 'heapUsedMiB' | 'lagP99Ms') =>
    Object.entries(run.processes).map(([name, samples]) => ({
      label: name,
      points: samples.map((s) => ({ t: s.t, v: s[key] })),
    }));
  const traffic = (key: 'okPerSecond' | 'errors' | 'p99Ms' | 'controlLagP99Ms', label: string) => ({
    label,
    points: run.traffic.map((s) => ({ t: s.t, v: s[key] })),
  });
  return [
    // From the lowest value rather than 0, so that a slope (a leak) shows.
    asciiChart(`${run.mode} RSS`, 'MiB', per('rssMiB'), duration, { fromZero: false }),
    asciiChart(`${run.mode} heap used`, 'MiB', per('heapUsedMiB'), duration, { fromZero: false }),
    asciiChart(
      `${run.mode} event-loop delay p99`,
      'ms',
      [...per('lagP99Ms'), traffic('controlLagP99Ms', 'soak client (control)')],
      duration,
      { height: 8 },
    ),
    asciiChart(
      `${run.mode} throughput and errors`,
      'per second / per sample',
      [traffic('okPerSecond', 'ok ops/s'), traffic('errors', 'errors')],
      duration,
      { height: 8 },
    ),
    asciiChart(`${run.mode} client latency p99`, 'ms', [traffic('p99Ms', 'p99')], duration, { height: 8 }),
  ].join('\n');
}

export interface ReportMeta {
  started: Date;
  minutes: number;
  rate: number;
  sampleSeconds: number;
  machine: string;
  commit: string;
  modes: string;
}

/** A table row per process: RSS and heap at the start and end of the measured part, event-loop delay. */
function processTable(run: ModeRun, duration: number, warmUp: number): string[] {
  return Object.entries(run.processes).map(([name, samples]) => {
    const rss = growth(samples, 'rssMiB', duration, warmUp);
    const heap = growth(samples, 'heapUsedMiB', duration, warmUp);
    const measured = window(samples, duration, warmUp, 1);
    const lags = measured.map((s) => s.lagP99Ms);
    const cpu = mean(
      window(samples, duration, warmUp, 1)
        .map((s) => s.cpuPercent)
        .filter(Number.isFinite),
    );
    return `| ${run.mode} | ${name} | ${rss.start.toFixed(1)} → ${rss.end.toFixed(1)} (${pct(rss.growth)}) | ${heap.start.toFixed(1)} → ${heap.end.toFixed(1)} (${pct(heap.growth)}) | ${lagP99Bound(measured).toFixed(1)} (${median(lags).toFixed(1)} / ${Math.max(...lags).toFixed(1)}) | ${cpu.toFixed(0)} |`;
  });
}

export function markdownReport(runs: ModeRun[], duration: number, meta: ReportMeta, goals = GOALS): string {
  const lines = [
    `## Soak — ${meta.started.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `${meta.minutes} min, mode ${meta.modes}, ${meta.rate} operations/s per mode (chat JSON 5, chat SSE 1, task with pages 3, task without 1, in every 10), a sample every ${meta.sampleSeconds} s; warm-up: the first ${goals.warmUp * 100} % of the run. RSS from /proc, heap and event-loop delay from each process's /metrics (\`nodejs_heap_size_used_bytes\`, \`nodejs_eventloop_lag_p99_seconds\`: prom-client resets that histogram at each scrape, and its values include its 10 ms sampling interval; the run's p99 is bounded from above from each sample's p50, p90, p99 and max). Growth compares the medians of the tenth after the warm-up and of the last tenth. Machine: ${meta.machine}. Commit ${meta.commit}.`,
    '',
    '| mode | process | RSS MiB (after warm-up → end) | heap used MiB | event-loop p99 ms after warm-up, bound (median / worst sample) | CPU % of a core |',
    '|---|---|---|---|---|---|',
    ...runs.flatMap((run) => processTable(run, duration, goals.warmUp)),
    '',
    '| mode | operations | ok ops/s (2nd fifth → last) | errors | client p99 ms (median sample) | control: soak client event-loop p99 ms (median / worst sample) |',
    '|---|---|---|---|---|---|',
    ...runs.map((run) => {
      const ops = Object.entries(run.operations)
        .map(([kind, n]) => `${kind} ${n}`)
        .join(', ');
      const second = mean(window(run.traffic, duration, 0.2, 0.4).map((s) => s.okPerSecond));
      const last = mean(window(run.traffic, duration, 0.8, 1).map((s) => s.okPerSecond));
      const errors = run.traffic.reduce((n, s) => n + s.errors, 0);
      const p99 = median(run.traffic.filter((s) => Number.isFinite(s.p99Ms)).map((s) => s.p99Ms));
      const control = window(run.traffic, duration, goals.warmUp, 1).map((s) => s.controlLagP99Ms);
      return `| ${run.mode} | ${ops} | ${second.toFixed(2)} → ${last.toFixed(2)} | ${errors} | ${p99.toFixed(0)} | ${median(control).toFixed(1)} / ${Math.max(...control).toFixed(1)} |`;
    }),
    '',
    '| verdict | result | figures |',
    '|---|---|---|',
    ...runs.flatMap((run) =>
      verdicts(run, duration, goals).map(
        (v) =>
          `| ${v.name} | ${v.judged === false ? 'not judged' : v.pass ? 'pass' : '**FAIL**'} | ${v.detail} |`,
      ),
    ),
    '',
    '```',
    ...runs.map((run) => charts(run, duration)),
    '```',
    '',
  ];
  return lines.join('\n');
}

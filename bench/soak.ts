// `npm run soak -- --minutes N [--mode embedded|distributed|both] [--rate R]`: a steady chat and task load
// on loopback against `berth start` and/or `berth api` + `berth worker`, sampling each process's RSS, heap
// and event-loop delay; prints charts, a Markdown summary and verdicts, and exits 1 when a verdict fails.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { articlePage, startFixtureSite } from '../test/support/fixture-site.js';
import { ROOT } from './processes.js';
import { Load } from './soak-load.js';
import { GOALS, type ModeRun, markdownReport, median, type ProcessSample, verdicts } from './soak-report.js';
import {
  type BerthProcess,
  closeAll,
  killChildren,
  makeRunDir,
  startDistributed,
  startEmbedded,
  type Target,
  tail,
} from './soak-targets.js';

const USAGE = `usage: npm run soak -- --minutes N [--mode embedded|distributed|both] [--rate R]
  [--sample-seconds S] [--report FILE.md] [--json FILE.json] [--from dist|source] [--no-verdict]
  [--judge all|errors]
  [--heap-snapshots] [--node-arg ARG]…

  --minutes N         how long the load runs (default 2)
  --mode              embedded (berth start), distributed (berth api + berth worker on Postgres and
                      Redis), or both at once, each with its own load (default both)
  --rate R            operations started per second, per mode (default 4)
  --sample-seconds S  how often each process is sampled (default 5)
  --report FILE       also write the Markdown summary there
  --json FILE         also write every sample there
  --from              run the built dist/main.js (default) or src/main.ts through tsx
  --no-verdict        report only: exit 0 even when a goal is missed
  --judge errors      exit 1 only for errors or a process that died; the other goals are reported
                      (CI: a short run on a shared machine cannot judge timing; default all)
  --heap-snapshots    write a heap snapshot of each process at the end of the warm-up and after the
                      load (into the kept run dir; bench/soak-heap-diff.ts or DevTools compare them);
                      each one stalls its process for a while
  --node-arg ARG      pass ARG to every Berth process's node (repeatable), e.g.
                      --node-arg=--cpu-prof --node-arg=--cpu-prof-dir=/tmp/prof (written at SIGTERM)
Distributed mode uses SOAK_DATABASE_URL or DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres)
to create and drop its own database, and REDIS_URL (default redis://127.0.0.1:6379) with a prefix of its own.`;

function usage(message: string): never {
  console.error(`soak: ${message}\n${USAGE}`);
  process.exit(2);
}

function options() {
  let parsed: ReturnType<typeof parse>;
  const parse = () =>
    parseArgs({
      options: {
        minutes: { type: 'string', default: '2' },
        mode: { type: 'string', default: 'both' },
        rate: { type: 'string', default: '4' },
        'sample-seconds': { type: 'string', default: '5' },
        report: { type: 'string' },
        json: { type: 'string' },
        from: { type: 'string', default: 'dist' },
        'no-verdict': { type: 'boolean', default: false },
        judge: { type: 'string', default: 'all' },
        'heap-snapshots': { type: 'boolean', default: false },
        'node-arg': { type: 'string', multiple: true, default: [] },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    });
  try {
    parsed = parse();
  } catch (error) {
    usage((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const number = (name: string, value: string, max: number) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || n > max)
      usage(`--${name} must be a number in (0, ${max}], not ${value}`);
    return n;
  };
  if (!['embedded', 'distributed', 'both'].includes(values.mode)) usage(`unknown --mode ${values.mode}`);
  if (!['dist', 'source'].includes(values.from)) usage(`unknown --from ${values.from}`);
  if (!['all', 'errors'].includes(values.judge)) usage(`unknown --judge ${values.judge}`);
  return {
    minutes: number('minutes', values.minutes, 24 * 60),
    mode: values.mode as 'embedded' | 'distributed' | 'both',
    // Bounded so that a typo cannot turn a soak into a flood.
    rate: number('rate', values.rate, 200),
    sampleSeconds: number('sample-seconds', values['sample-seconds'], 300),
    report: values.report,
    json: values.json,
    from: values.from as 'dist' | 'source',
    verdict: !values['no-verdict'],
    judgeErrorsOnly: values.judge === 'errors',
    heapSnapshots: values['heap-snapshots'],
    nodeArgs: values['node-arg'],
  };
}

/** RSS from /proc, heap used and event-loop p99 from the process's own /metrics (prom-client's names). */
async function sampleProcess(process: BerthProcess, t: number): Promise<ProcessSample> {
  const status = readFileSync(`/proc/${process.pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
  const cpuPercent = cpuSince(process.pid, t);
  const metrics = await (
    await fetch(`${process.url}/metrics`, { signal: AbortSignal.timeout(10_000) })
  ).text();
  const value = (name: string) =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics)?.[1]);
  const heap = value('nodejs_heap_size_used_bytes');
  const lag = (stat: string) => value(`nodejs_eventloop_lag_${stat}_seconds`) * 1000;
  const sample = {
    t,
    rssMiB: rssKb / 1024,
    heapUsedMiB: heap / 2 ** 20,
    lagP50Ms: lag('p50'),
    lagP90Ms: lag('p90'),
    lagP99Ms: lag('p99'),
    lagMaxMs: lag('max'),
    cpuPercent,
  };
  if (!Object.values(sample).slice(1, -1).every(Number.isFinite))
    throw new Error('metrics without heap or event-loop figures');
  return sample;
}

const lastCpu = new Map<number, { ticks: number; t: number }>();

/** CPU time (user + system, /proc/<pid>/stat) since the previous sample, as % of one core. */
function cpuSince(pid: number, t: number): number {
  // Fields after the command name: state is the 3rd field of the line, utime the 14th, stime the 15th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = Number(fields[11]) + Number(fields[12]);
  const previous = lastCpu.get(pid);
  lastCpu.set(pid, { ticks, t });
  // USER_HZ is 100 on Linux for every architecture Node supports.
  return previous ? ((ticks - previous.ticks) / 100 / (t - previous.t)) * 100 : Number.NaN;
}

interface Running {
  target: Target;
  load: Load;
  run: ModeRun;
}

function machine(): string {
  const node = execFileSync(`${ROOT}node_modules/node/bin/node`, ['--version']).toString().trim();
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, Node ${node}`;
}

function commit(): string {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], { cwd: ROOT }).toString().trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<number> {
  const opts = options();
  const duration = opts.minutes * 60;
  const runDir = makeRunDir();
  // However the run ends, no Berth process outlives it.
  process.on('exit', killChildren);
  // A reader that went away (`| head`) must not cut the clean-up short.
  process.stdout.on('error', () => {});
  process.once('uncaughtException', (error) => {
    console.error(`soak: ${error.stack ?? error.message}`);
    killChildren();
    void closeAll().finally(() => process.exit(1));
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      console.error(`soak: ${signal}, stopping`);
      killChildren();
      void closeAll().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  // A hard bound on the whole run: start-up, the load, the drain and the clean-up.
  setTimeout(
    () => {
      console.error('soak: still running 10 minutes past its end, giving up');
      killChildren();
      void closeAll().finally(() => process.exit(1));
    },
    (duration + 600) * 1000,
  ).unref();

  const site = await startFixtureSite();
  for (let i = 0; i < 8; i++)
    site.route(`/p${i}`, {
      body: articlePage(`Harbour ${i}`, [
        `Harbour ${i} has ${i + 2} quays and a lighthouse.`,
        'Ships wait outside the breakwater for the pilot.',
        'Cargo goes from the cranes to the sheds by the quay.',
      ]),
      delayMs: 20,
    });
  const running: Running[] = [];
  // Kept (with its logs and snapshots) unless the run ends well.
  let keepRunDir = true;
  try {
    const nodeArgs = [
      ...opts.nodeArgs,
      ...(opts.heapSnapshots ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${runDir}`] : []),
    ];
    const common = { from: opts.from, fetchAllow: site.host, runDir, nodeArgs };
    const snapshot = () => {
      if (opts.heapSnapshots)
        for (const r of running) for (const p of r.target.processes) p.child.kill('SIGUSR2');
    };
    const modes = opts.mode === 'both' ? (['embedded', 'distributed'] as const) : [opts.mode];
    // One after the other: two start-ups at once on two cores would only slow both.
    for (const mode of modes) {
      const target =
        mode === 'embedded'
          ? await startEmbedded(common)
          : await startDistributed({
              ...common,
              adminUrl:
                process.env.SOAK_DATABASE_URL ??
                process.env.DATABASE_URL ??
                'postgres://postgres@127.0.0.1:5432/postgres',
              redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
            });
      console.log(`soak: ${mode} up (${target.processes.map((p) => `${p.name} pid ${p.pid}`).join(', ')})`);
      const load = new Load({ apiUrl: target.apiUrl, siteUrl: site.url, rate: opts.rate });
      const processes = Object.fromEntries(target.processes.map((p) => [p.name, [] as ProcessSample[]]));
      running.push({
        target,
        load,
        run: { mode, processes, traffic: [], errorKinds: load.errorKinds, operations: load.operations },
      });
    }
    const loads: number[] = [];
    const started = new Date();
    // The control: this process's own event-loop delay, sampled like prom-client samples Berth's.
    const control = monitorEventLoopDelay({ resolution: 10 });
    control.enable();
    const t0 = performance.now();
    for (const r of running) r.load.start(Math.round(opts.rate * duration));
    let lastProgress = 0;
    let snapshotTaken = false;
    const died: string[] = [];
    while ((performance.now() - t0) / 1000 < duration && died.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, opts.sampleSeconds * 1000));
      const t = Math.min(duration, (performance.now() - t0) / 1000);
      loads.push(loadavg()[0] as number);
      const controlLag = control.percentile(99) / 1e6;
      control.reset();
      for (const r of running) {
        r.run.traffic.push(r.load.sample(t, opts.sampleSeconds, controlLag));
        for (const p of r.target.processes) {
          if (p.child.exitCode !== null || p.child.signalCode !== null) {
            died.push(`${r.run.mode} ${p.name} exited:\n${tail(p.logFile)}`);
            continue;
          }
          try {
            r.run.processes[p.name]?.push(await sampleProcess(p, t));
          } catch (error) {
            r.load.errorKinds.metrics_scrape = (r.load.errorKinds.metrics_scrape ?? 0) + 1;
            const last = r.run.traffic.at(-1);
            if (last) last.errors++;
            console.error(`soak: ${r.run.mode} ${p.name} sample failed: ${(error as Error).message}`);
          }
        }
      }
      if (!snapshotTaken && t >= duration * GOALS.warmUp) {
        snapshotTaken = true;
        snapshot();
      }
      if (t - lastProgress >= 30 || t >= duration) {
        lastProgress = t;
        for (const r of running) console.log(progressLine(r.run, t));
      }
    }
    control.disable();
    await Promise.all(running.map((r) => r.load.stop()));
    if (opts.heapSnapshots) {
      snapshot();
      // Writing a snapshot stalls the process for seconds; give it time before SIGTERM.
      await new Promise((resolve) => setTimeout(resolve, 30_000));
    }
    // Errors of operations that ended after the last sample count in it; their successes do not
    // raise its rate (they were started in it, and ops started before it finished in it likewise).
    for (const r of running) {
      const drain = r.load.sample(duration, opts.sampleSeconds);
      const last = r.run.traffic.at(-1);
      if (last) last.errors += drain.errors;
    }
    for (const message of died) console.error(`soak: ${message}`);

    const runs = running.map((r) => r.run);
    const meta = {
      started,
      minutes: opts.minutes,
      rate: opts.rate,
      sampleSeconds: opts.sampleSeconds,
      machine: `${machine()}; load average (1 min) median ${median(loads).toFixed(1)}, max ${Math.max(...loads).toFixed(1)} during the run`,
      commit: commit(),
      modes: opts.mode,
    };
    const report = markdownReport(runs, duration, meta);
    console.log(`\n${report}`);
    for (const r of running)
      if (r.load.errorExamples.length)
        console.log(`${r.run.mode} errors, first ones:\n  ${r.load.errorExamples.join('\n  ')}`);
    if (opts.report) writeFileSync(opts.report, report);
    if (opts.json) writeFileSync(opts.json, JSON.stringify({ meta, duration, runs }, null, 1));
    const all = runs.flatMap((run) => verdicts(run, duration));
    const failures = all.filter((v) => !v.pass);
    const unjudged = all.filter((v) => v.judged === false).length;
    keepRunDir = opts.heapSnapshots || died.length > 0 || failures.length > 0;
    console.log(
      failures.length
        ? `soak: ${failures.length} of ${all.length} verdicts failed: ${failures.map((v) => v.name).join('; ')}`
        : `soak: all ${all.length} verdicts pass${unjudged ? ` (${unjudged} not judged in a run this short)` : ''}`,
    );
    const gating = opts.judgeErrorsOnly ? failures.filter((v) => v.name.endsWith('zero errors')) : failures;
    return died.length > 0 || (opts.verdict && gating.length > 0) ? 1 : 0;
  } finally {
    await Promise.allSettled(running.map((r) => r.target.close()));
    await closeAll();
    await site.close();
    if (keepRunDir) console.log(`soak: process logs kept in ${runDir}`);
    else rmSync(runDir, { recursive: true, force: true });
  }
}

function progressLine(run: ModeRun, t: number): string {
  const traffic = run.traffic.at(-1);
  const procs = Object.entries(run.processes)
    .map(([name, samples]) => {
      const s = samples.at(-1);
      return s
        ? `${name} rss ${s.rssMiB.toFixed(0)} MiB heap ${s.heapUsedMiB.toFixed(0)} MiB lag p99 ${s.lagP99Ms.toFixed(1)} ms cpu ${s.cpuPercent.toFixed(0)} %`
        : `${name} -`;
    })
    .join(' | ');
  const minutes = `${Math.floor(t / 60)}:${String(Math.floor(t % 60)).padStart(2, '0')}`;
  const errors = run.traffic.reduce((n, s) => n + s.errors, 0);
  return `[${minutes}] ${run.mode}: ${procs} | ${traffic?.okPerSecond.toFixed(1) ?? '-'} ok/s, ${errors} errors so far, ${traffic?.inFlight ?? 0} in flight`;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`soak: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    killChildren();
    void closeAll().finally(() => process.exit(1));
  },
);

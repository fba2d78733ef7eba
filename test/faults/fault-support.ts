import pg from 'pg';

export interface FaultLog {
  name: string;
  at: number;
}

interface Sample {
  at: number;
  completedSteps: number;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  // Postgres is restarted under these probes: the query's own rejection reports it; without a
  // listener the client's 'error' event would end the test process.
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Counts completed steps every 500 ms (a sample is skipped while Postgres is down). */
export function sampleProgress(url: string) {
  const samples: Sample[] = [];
  const timer = setInterval(() => {
    query<{ n: number }>(url, "SELECT count(*)::int AS n FROM steps WHERE status = 'completed'").then(
      (rows) => samples.push({ at: Date.now(), completedSteps: rows[0]?.n ?? 0 }),
      () => {},
    );
  }, 500);
  return {
    async stop() {
      clearInterval(timer);
      return samples;
    },
  };
}

/**
 * For each fault: ms until the completion rate (steps/s over 2 s) is back to 80 % of its steady rate
 * before the fault; null when the run ended first. The steady rate is the median of the 2 s rates in
 * the 8 s before the fault, so neither the catch-up burst after an earlier fault nor its dip sets it.
 */
export function throughputRecovery(samples: Sample[], faults: FaultLog[]) {
  const rate = (from: number, to: number) => {
    const inside = samples.filter((s) => s.at >= from && s.at <= to);
    const first = inside[0];
    const last = inside.at(-1);
    return first && last && last.at > first.at
      ? ((last.completedSteps - first.completedSteps) * 1000) / (last.at - first.at)
      : 0;
  };
  return faults.map((fault) => {
    const windows = samples
      .filter((s) => s.at >= fault.at - 6_000 && s.at <= fault.at)
      .map((s) => rate(s.at - 2_000, s.at))
      .sort((a, b) => a - b);
    const before = windows[Math.floor(windows.length / 2)] ?? 0;
    const recovered = samples.find((s) => s.at > fault.at + 500 && rate(s.at - 2_000, s.at) >= 0.8 * before);
    return {
      fault: fault.name,
      baseline_steps_per_s: Math.round(before),
      recovery_ms: recovered ? recovered.at - fault.at : null,
    };
  });
}

/** Waits until every task is final, then reads the counts the assertions need. */
export async function loadCounts(url: string, options: { timeoutMs: number; expectTasks: number }) {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const rows = await query<{ n: number }>(
      url,
      "SELECT count(*)::int AS n FROM tasks WHERE status IN ('completed', 'failed', 'cancelled')",
    ).catch(() => []);
    if ((rows[0]?.n ?? 0) >= options.expectTasks || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  const byStatus = await query<{ status: string; n: number }>(
    url,
    'SELECT status, count(*)::int AS n FROM tasks GROUP BY status',
  );
  const running = await query<{ n: number }>(
    url,
    "SELECT count(*)::int AS n FROM steps WHERE status = 'running'",
  );
  const fetches = await query<{ url: string; attempts: number }>(
    url,
    "SELECT input->>'url' AS url, attempts FROM steps WHERE tool = 'fetch_url'",
  );
  const completed = await query<{ id: string }>(url, "SELECT id FROM tasks WHERE status = 'completed'");
  return {
    tasksByStatus: Object.fromEntries(byStatus.map((r) => [r.status, r.n])),
    stepsRunning: running[0]?.n ?? 0,
    fetchSteps: fetches,
    completedIds: new Set(completed.map((r) => r.id)),
  };
}

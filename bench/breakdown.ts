// Per task of the distributed bench (one worker process), beside raw BullMQ per chain: CPU of each
// process and server, SQL statements and Redis commands by kind, Postgres commits, rows and bytes.
import type { CallCounts } from './call-counter.js';
import type { PhaseCost } from './distributed-bench.js';
import type { ServerReading } from './server-meters.js';

const per = (map: Record<string, number>, n: number) =>
  Object.fromEntries(
    Object.entries(map)
      .sort(([, a], [, b]) => b - a)
      .map(([k, v]) => [k, Number((v / n).toFixed(2))]),
  );
const total = (map: Record<string, number>) => Object.values(map).reduce((s, v) => s + v, 0);
const r2 = (n: number) => Number(n.toFixed(2));

export interface Breakdown {
  tasks: number;
  berth: {
    cpu_ms: { api: number; workers: number; berth_total: number; redis: number; postgres: number };
    sql: { api: Record<string, number>; workers: Record<string, number>; total: number };
    redis_client: { api: Record<string, number>; workers: Record<string, number>; total: number };
    redis_server: { commands: number; bytes_in: number; bytes_out: number };
    postgres: {
      commits: number;
      rows_inserted: number;
      rows_updated: number;
      rows_deleted: number;
      wal_bytes: number;
      stored_bytes: number;
    };
  };
  raw: {
    cpu_ms: { process: number; redis: number };
    redis_client: Record<string, number>;
    redis_client_total: number;
    redis_server: { commands: number; bytes_in: number; bytes_out: number };
  };
}

const redisServer = (s: ServerReading, n: number) => ({
  // INFO itself is counted; the meters call it once per reading.
  commands: r2((total(s.redisCommands) - (s.redisCommands.info ?? 0)) / n),
  bytes_in: r2(s.redisBytesIn / n),
  bytes_out: r2(s.redisBytesOut / n),
});

export function perTask(
  berth: { cost: PhaseCost; bytesPerTask: number },
  raw: { cost: { client: CallCounts; servers: ServerReading } },
  tasks: number,
): Breakdown {
  const { api, workers, servers } = berth.cost;
  return {
    tasks,
    berth: {
      cpu_ms: {
        api: r2(api.cpuMs / tasks),
        workers: r2(workers.cpuMs / tasks),
        berth_total: r2((api.cpuMs + workers.cpuMs) / tasks),
        redis: r2(servers.redisCpuMs / tasks),
        postgres: r2(servers.pgCpuMs / tasks),
      },
      sql: {
        api: per(api.sql, tasks),
        workers: per(workers.sql, tasks),
        total: r2((total(api.sql) + total(workers.sql)) / tasks),
      },
      redis_client: {
        api: per(api.redis, tasks),
        workers: per(workers.redis, tasks),
        total: r2((total(api.redis) + total(workers.redis)) / tasks),
      },
      redis_server: redisServer(servers, tasks),
      postgres: {
        commits: r2(servers.pgCommits / tasks),
        rows_inserted: r2(servers.pgRowsInserted / tasks),
        rows_updated: r2(servers.pgRowsUpdated / tasks),
        rows_deleted: r2(servers.pgRowsDeleted / tasks),
        wal_bytes: r2(servers.pgWalBytes / tasks),
        stored_bytes: r2(berth.bytesPerTask),
      },
    },
    raw: {
      cpu_ms: { process: r2(raw.cost.client.cpuMs / tasks), redis: r2(raw.cost.servers.redisCpuMs / tasks) },
      redis_client: per(raw.cost.client.redis, tasks),
      redis_client_total: r2(total(raw.cost.client.redis) / tasks),
      redis_server: redisServer(raw.cost.servers, tasks),
    },
  };
}

const list = (map: Record<string, number>) =>
  Object.entries(map)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '—';

export function breakdownRows(b: Breakdown, date: string): string[] {
  const { berth, raw } = b;
  return [
    `### Per task, 1 worker process, beside raw BullMQ per chain — ${date}`,
    '',
    `The burst of ${b.tasks} tasks (chains), divided by ${b.tasks}. CPU of Berth's processes from \`process.cpuUsage()\` in each; SQL and Redis commands counted in each process (bench/call-counter.ts: BullMQ's Lua scripts by name); Redis and Postgres from the servers (INFO, pg_stat_database, /proc of every postgres process): those two are shared with other work on the machine, so their deltas are upper bounds.`,
    '',
    '| per task (Berth) / per chain (raw) | Berth | raw BullMQ |',
    '|---|---|---|',
    `| CPU ms, client processes | **${berth.cpu_ms.berth_total}** (api ${berth.cpu_ms.api}, workers ${berth.cpu_ms.workers}) | **${raw.cpu_ms.process}** |`,
    `| CPU ms, Redis server | ${berth.cpu_ms.redis} | ${raw.cpu_ms.redis} |`,
    `| CPU ms, Postgres (all its processes) | ${berth.cpu_ms.postgres} | — |`,
    `| SQL statements | ${berth.sql.total} — api: ${list(berth.sql.api)}; workers: ${list(berth.sql.workers)} | 0 |`,
    `| Redis commands sent | ${berth.redis_client.total} — api: ${list(berth.redis_client.api)}; workers: ${list(berth.redis_client.workers)} | ${raw.redis_client_total} — ${list(raw.redis_client)} |`,
    `| Redis commands run (server) / bytes in / bytes out | ${berth.redis_server.commands} / ${berth.redis_server.bytes_in} / ${berth.redis_server.bytes_out} | ${raw.redis_server.commands} / ${raw.redis_server.bytes_in} / ${raw.redis_server.bytes_out} |`,
    `| Postgres commits / rows inserted, updated, deleted | ${berth.postgres.commits} / ${berth.postgres.rows_inserted}, ${berth.postgres.rows_updated}, ${berth.postgres.rows_deleted} | — |`,
    `| Postgres WAL bytes (machine-wide) / bytes stored (tasks + steps + outbox, with indexes) | ${berth.postgres.wal_bytes} / ${berth.postgres.stored_bytes} | — |`,
    '',
  ];
}

// What Redis and Postgres did during a phase of the distributed bench, read from the servers:
// Redis INFO (commands by name, bytes in and out, its CPU) and Postgres' statistics (commits and
// rows of one database, WAL bytes, the CPU of every postgres process). Redis and Postgres are the
// machine's and shared with other work: their deltas include whatever else ran meanwhile.
import { readdirSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import pg from 'pg';

export interface ServerReading {
  redisCommands: Record<string, number>;
  redisBytesIn: number;
  redisBytesOut: number;
  redisCpuMs: number;
  pgCommits: number;
  pgRowsInserted: number;
  pgRowsUpdated: number;
  pgRowsDeleted: number;
  pgWalBytes: number;
  pgCpuMs: number;
}

const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux

/** CPU of every running postgres process, plus what the postmaster has collected of its exited children. */
function postgresCpuMs(): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (comm !== 'postgres' && !comm.startsWith('postgres:')) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[0] is state (field 3): utime 14, stime 15, cutime 16, cstime 17 → indexes 11..14
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // the process ended between the listing and the read
    }
  }
  return ticks * TICK_MS;
}

function infoFields(info: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of info.split('\r\n')) {
    const at = line.indexOf(':');
    if (at > 0) out.set(line.slice(0, at), line.slice(at + 1));
  }
  return out;
}

export async function readServers(
  redisUrl: string,
  adminUrl: string,
  database: string,
): Promise<ServerReading> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const client = new pg.Client({ connectionString: adminUrl });
  try {
    await client.connect();
    const info = infoFields(await redis.info('all'));
    const redisCommands: Record<string, number> = {};
    for (const [key, value] of info) {
      if (!key.startsWith('cmdstat_')) continue;
      redisCommands[key.slice(8)] = Number(/calls=(\d+)/.exec(value)?.[1] ?? 0);
    }
    const { rows } = await client.query<Record<string, string>>(
      `SELECT xact_commit, tup_inserted, tup_updated, tup_deleted,
              pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint AS wal
         FROM pg_stat_database WHERE datname = $1`,
      [database],
    );
    const row = rows[0] ?? {};
    return {
      redisCommands,
      redisBytesIn: Number(info.get('total_net_input_bytes') ?? 0),
      redisBytesOut: Number(info.get('total_net_output_bytes') ?? 0),
      redisCpuMs: 1000 * (Number(info.get('used_cpu_user') ?? 0) + Number(info.get('used_cpu_sys') ?? 0)),
      pgCommits: Number(row.xact_commit ?? 0),
      pgRowsInserted: Number(row.tup_inserted ?? 0),
      pgRowsUpdated: Number(row.tup_updated ?? 0),
      pgRowsDeleted: Number(row.tup_deleted ?? 0),
      pgWalBytes: Number(row.wal ?? 0),
      pgCpuMs: postgresCpuMs(),
    };
  } finally {
    redis.disconnect();
    await client.end().catch(() => {});
  }
}

export function diffServers(before: ServerReading, after: ServerReading): ServerReading {
  const redisCommands: Record<string, number> = {};
  for (const [k, v] of Object.entries(after.redisCommands)) {
    const d = v - (before.redisCommands[k] ?? 0);
    if (d > 0) redisCommands[k] = d;
  }
  const d = (k: Exclude<keyof ServerReading, 'redisCommands'>) => after[k] - before[k];
  return {
    redisCommands,
    redisBytesIn: d('redisBytesIn'),
    redisBytesOut: d('redisBytesOut'),
    redisCpuMs: d('redisCpuMs'),
    pgCommits: d('pgCommits'),
    pgRowsInserted: d('pgRowsInserted'),
    pgRowsUpdated: d('pgRowsUpdated'),
    pgRowsDeleted: d('pgRowsDeleted'),
    pgWalBytes: d('pgWalBytes'),
    pgCpuMs: d('pgCpuMs'),
  };
}

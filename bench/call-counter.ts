// Counts, inside one process, the SQL statements it sends (by their first keyword) and the Redis
// commands (BullMQ's Lua scripts by their name), with the process' CPU time: what a step costs,
// read from the client side. Installed by patching pg's and ioredis' prototypes; bench only.
import { Redis } from 'ioredis';
import pg from 'pg';

export interface CallCounts {
  cpuMs: number;
  sql: Record<string, number>;
  redis: Record<string, number>;
}

const sqlCounts = new Map<string, number>();
const redisCounts = new Map<string, number>();
const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
let installed = false;

function sqlKind(config: unknown): string {
  const text = typeof config === 'string' ? config : (config as { text?: string } | null)?.text;
  if (typeof text !== 'string') return 'other';
  const word = /^\s*(?:with\b[\s\S]*?\)\s*)?([a-z]+)/i.exec(text)?.[1]?.toLowerCase() ?? 'other';
  // A CTE's body decides what it does; "with … select" that updates is still counted by its first word after the CTEs.
  return /^\s*with\b/i.test(text) ? `with…${word}` : word;
}

/** Starts counting in this process (idempotent). */
export function installCallCounter(): void {
  if (installed) return;
  installed = true;
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    bump(sqlCounts, sqlKind(args[0]));
    return query.apply(this, args);
  } as typeof pg.Client.prototype.query;
  const send = Redis.prototype.sendCommand;
  const scriptNames = new WeakMap<Redis, Map<string, string>>();
  Redis.prototype.sendCommand = function (this: Redis, command, stream) {
    let name = command.name;
    if (name === 'evalsha' || name === 'eval') {
      let names = scriptNames.get(this);
      const scripts = (this as unknown as { scriptsSet: Record<string, { sha: string }> }).scriptsSet;
      if (!names || names.size !== Object.keys(scripts).length) {
        names = new Map(Object.entries(scripts).map(([n, s]) => [s.sha, n]));
        scriptNames.set(this, names);
      }
      name = `lua:${names.get(String(command.args[0])) ?? '?'}`;
    }
    bump(redisCounts, name);
    return send.call(this, command, stream);
  };
}

/** The counts so far, and the process' CPU time (user + system). */
export function callCounts(): CallCounts {
  const cpu = process.cpuUsage();
  return {
    cpuMs: (cpu.user + cpu.system) / 1000,
    sql: Object.fromEntries(sqlCounts),
    redis: Object.fromEntries(redisCounts),
  };
}

const diffMaps = (a: Record<string, number>, b: Record<string, number>) =>
  Object.fromEntries(
    Object.entries(b)
      .map(([k, v]) => [k, v - (a[k] ?? 0)] as const)
      .filter(([, v]) => v > 0),
  );

export function diffCounts(before: CallCounts, after: CallCounts): CallCounts {
  return {
    cpuMs: after.cpuMs - before.cpuMs,
    sql: diffMaps(before.sql, after.sql),
    redis: diffMaps(before.redis, after.redis),
  };
}

export function sumCounts(all: CallCounts[]): CallCounts {
  const add = (maps: Array<Record<string, number>>) => {
    const out: Record<string, number> = {};
    for (const map of maps) for (const [k, v] of Object.entries(map)) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  return {
    cpuMs: all.reduce((s, c) => s + c.cpuMs, 0),
    sql: add(all.map((c) => c.sql)),
    redis: add(all.map((c) => c.redis)),
  };
}

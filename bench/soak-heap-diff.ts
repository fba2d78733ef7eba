// `node --import tsx bench/soak-heap-diff.ts BEFORE.heapsnapshot AFTER.heapsnapshot [--top N]`: what grew
// between two heap snapshots (as `npm run soak -- --heap-snapshots` writes them), by node type and
// constructor name: count and self size, largest growth first. DevTools' comparison view shows the same
// with retainers; this is for a terminal and a report.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export interface Group {
  count: number;
  bytes: number;
}

/** Nodes grouped by `type:name` (objects by constructor, strings and code by type alone). */
export function groups(snapshot: HeapSnapshot): Map<string, Group> {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [
    number,
    number,
    number,
  ];
  const out = new Map<string, Group>();
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[snapshot.nodes[i + typeAt] as number] ?? '?';
    // Strings' and code's names are their contents: group them by type only.
    const named = type === 'object' || type === 'closure' || type === 'native' || type === 'hidden';
    const key = named ? `${type}:${snapshot.strings[snapshot.nodes[i + nameAt] as number]}` : type;
    const group = out.get(key) ?? { count: 0, bytes: 0 };
    group.count++;
    group.bytes += snapshot.nodes[i + sizeAt] as number;
    out.set(key, group);
  }
  return out;
}

export function diff(before: Map<string, Group>, after: Map<string, Group>) {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys]
    .map((key) => {
      const b = before.get(key) ?? { count: 0, bytes: 0 };
      const a = after.get(key) ?? { count: 0, bytes: 0 };
      return { key, count: a.count - b.count, bytes: a.bytes - b.bytes, after: a };
    })
    .sort((x, y) => y.bytes - x.bytes);
}

function main(): void {
  const { values, positionals } = parseArgs({
    options: { top: { type: 'string', default: '25' } },
    allowPositionals: true,
  });
  const [beforeFile, afterFile] = positionals;
  if (!beforeFile || !afterFile) {
    console.error('usage: bench/soak-heap-diff.ts BEFORE.heapsnapshot AFTER.heapsnapshot [--top N]');
    process.exit(2);
  }
  const load = (file: string) => groups(JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshot);
  const before = load(beforeFile);
  const after = load(afterFile);
  const total = (g: Map<string, Group>) => [...g.values()].reduce((n, x) => n + x.bytes, 0) / 2 ** 20;
  console.log(`self size: ${total(before).toFixed(1)} MiB → ${total(after).toFixed(1)} MiB`);
  console.log('| growth KiB | growth count | after KiB | after count | type:constructor |');
  console.log('|---:|---:|---:|---:|---|');
  for (const row of diff(before, after).slice(0, Number(values.top)))
    console.log(
      `| ${(row.bytes / 1024).toFixed(0)} | ${row.count} | ${(row.after.bytes / 1024).toFixed(0)} | ${row.after.count} | ${row.key} |`,
    );
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() as string)) main();

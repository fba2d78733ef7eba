// Sums a .cpuprofile's self time by where the code lives (a package, Berth's own folders, node's
// internals, GC, idle) and lists the hottest functions:
//   node --import tsx bench/cpu-profile-summary.ts FILE.cpuprofile [--skip-ms 2500 --until-ms 7000] [--top 25]
import { readFileSync } from 'node:fs';
import { Command } from 'commander';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function placeOf(url: string, fn: string): string {
  if (fn === '(garbage collector)' || fn === '(idle)' || fn === '(program)') return fn;
  if (url === '') return fn.startsWith('(') ? fn : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] as string;
  const own = /\/(src\/(?:modules|platform)\/[^/]+|src\/[^/]+|bench|test)\//.exec(url);
  if (own) return own[1] as string;
  if (url.startsWith('node:')) return 'node:internals';
  return url;
}

const program = new Command('cpu-profile-summary')
  .argument('<file>')
  .option('--skip-ms <n>', 'leave out the first n ms (start-up)', '0')
  .option('--until-ms <n>', 'leave out what comes after n ms', 'Infinity')
  .option('--top <n>', 'functions to list', '25')
  .parse();
const options = program.opts<{ skipMs: string; untilMs: string; top: string }>();
const profile = JSON.parse(readFileSync(program.args[0] as string, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const places = new Map<string, number>();
const functions = new Map<string, number>();
let t = 0;
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0;
  t += dt;
  if (t / 1000 < Number(options.skipMs) || t / 1000 > Number(options.untilMs)) continue;
  const node = byId.get(profile.samples[i] as number);
  if (!node) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const place = placeOf(url, functionName);
  places.set(place, (places.get(place) ?? 0) + dt);
  const key = `${functionName || '(anonymous)'} ${place}:${lineNumber + 1}`;
  functions.set(key, (functions.get(key) ?? 0) + dt);
  total += dt;
}
const busy = total - (places.get('(idle)') ?? 0);
const show = (map: Map<string, number>, n: number) =>
  [...map]
    .sort(([, a], [, b]) => b - a)
    .slice(0, n)
    .map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`)
    .join('\n');
process.stdout.write(
  `window ${(total / 1e6).toFixed(2)} s, busy ${((100 * busy) / Math.max(total, 1)).toFixed(1)} %\n\nby place:\n${show(places, 30)}\n\ntop functions:\n${show(functions, Number(options.top))}\n`,
);

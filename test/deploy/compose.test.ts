// Static checks of the compose stack (compose.yaml, .env.example, deploy/compose/**). No container engine is
// needed; when the `docker compose` plugin exists, `config` also validates the file.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { envMap } from '../../src/platform/config/env-map.js';
import { metricNamesIn } from '../support/promql.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** Services that run Berth's image. */
const BERTH_SERVICES = ['migrate', 'api', 'worker'] as const;
/** Ports Berth listens on in the containers: PORT (api) and WORKER_PORT (worker); see envMap. */
const API_PORT = 8080;
const WORKER_PORT = 8081;

/**
 * Variables set on Berth services that are not Berth settings (not in envMap), each with its reason.
 * Anything else must be in envMap: an invented BERTH_* variable fails here.
 */
const NON_BERTH_ENV: Record<string, string> = {
  OTEL_EXPORTER_OTLP_ENDPOINT:
    'standard OpenTelemetry SDK variable, read by the SDK in Berth: where the api and worker send their traces',
  OTEL_EXPORTER_OTLP_PROTOCOL: 'standard OpenTelemetry SDK variable, as above',
};

/**
 * Healthcheck rule: every long-running service has one. Exempt: one-shot services (restart "no", and every
 * dependant waits for service_completed_successfully), and the services named here with the reason.
 * A service without a healthcheck may never be the target of a `service_healthy` condition.
 */
const NO_HEALTHCHECK: Record<string, string> = {
  'otel-collector': 'image is FROM scratch: no shell or wget, and the collector binary has no probe command',
};

type Healthcheck = { test?: string[] | string; disable?: boolean };
type Service = {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | { published?: string | number; host_ip?: string })[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: Healthcheck;
  profiles?: string[];
  restart?: string;
  container_name?: string;
  volumes?: (string | { source?: string })[];
};
type Compose = { services: Record<string, Service>; volumes?: Record<string, unknown> };

const composeText = read('compose.yaml');
// `merge: true` resolves the `<<: *anchor` merge keys compose.yaml uses for shared settings.
const compose = parse(composeText, { merge: true }) as Compose;
const services = compose.services;

/** KEY=value lines of .env.example. */
const envExample: Record<string, string> = Object.fromEntries(
  read('.env.example')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const eq = line.indexOf('=');
      return [line.slice(0, eq), line.slice(eq + 1)];
    }),
);

const VAR_RE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g;

/** Compose's interpolation, with .env.example as the .env (a `$$` stays a literal `$`). */
function interpolate(value: string): string {
  return value.replace(/\$\$/g, '\u0000').replace(VAR_RE, (_m, name: string, op?: string, arg?: string) => {
    const set = envExample[name];
    if (op === ':-') return set ? set : (arg ?? '');
    if (op === '-') return set ?? arg ?? '';
    return set ?? '';
  });
}

function dependsOn(svc: Service): Record<string, { condition?: string }> {
  const d = svc.depends_on ?? {};
  return Array.isArray(d) ? Object.fromEntries(d.map((n) => [n, {}])) : d;
}

function environment(svc: Service): Record<string, string> {
  const env = svc.environment ?? {};
  if (Array.isArray(env))
    return Object.fromEntries(env.map((kv) => [kv.split('=')[0] ?? '', kv.split('=').slice(1).join('=')]));
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v == null ? '' : String(v)]));
}

/** Host ports a service publishes (after interpolation), with their host IP ('' = all interfaces). */
function publishedPorts(svc: Service): { ip: string; port: string }[] {
  return (svc.ports ?? []).map((p) => {
    if (typeof p === 'object') return { ip: p.host_ip ?? '', port: interpolate(String(p.published ?? '')) };
    const parts = interpolate(p).split(':');
    if (parts.length === 3) return { ip: parts[0] ?? '', port: parts[1] ?? '' };
    if (parts.length === 2) return { ip: '', port: parts[0] ?? '' };
    return { ip: '', port: '' }; // container port only: nothing published
  });
}

/** Metrics Berth registers with prom-client: `new Counter|Gauge|Histogram|Summary({ name: 'berth_…'` in src/. */
function berthMetrics(): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        for (const m of read(path).matchAll(
          /new (Counter|Gauge|Histogram|Summary)\(\{\s*name:\s*'(berth_[a-z0-9_]+)'/g,
        ))
          found.set(m[2] as string, m[1] as string);
      }
    }
  };
  walk('src');
  return found;
}

/** Series names an exported metric yields: a histogram adds _bucket, _sum and _count. */
function seriesNames(metrics: Map<string, string>): Set<string> {
  const names = new Set<string>();
  for (const [name, type] of metrics) {
    names.add(name);
    if (type === 'Histogram' || type === 'Summary')
      for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
  }
  return names;
}

/** Metrics Prometheus itself produces for every target. */
const PROMETHEUS_BUILTIN = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

describe('compose.yaml', () => {
  it('has the services of the stack', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'api',
        'grafana',
        'jaeger',
        'migrate',
        'ollama',
        'otel-collector',
        'postgres',
        'prometheus',
        'redis',
        'worker',
      ].sort(),
    );
    expect(services.ollama?.profiles).toEqual(['ollama']);
  });

  it('runs every Berth role from the repo Dockerfile as berth:local', () => {
    for (const name of BERTH_SERVICES) {
      const svc = services[name] as Service;
      expect(svc.image, name).toBe('berth:local');
      expect(svc.build, name).toBe('.');
      expect(svc.command, name).toEqual([name]);
    }
    // A fixed name or a published port would stop `--scale worker=N`.
    expect(services.worker?.ports).toBeUndefined();
    expect(services.worker?.container_name).toBeUndefined();
    expect(publishedPorts(services.api as Service).map((p) => p.port)).toEqual(['8080']);
    expect(String(services.api?.ports?.[0])).toMatch(/:8080$/);
  });

  it('points every depends_on at a service, with conditions', () => {
    for (const [name, svc] of Object.entries(services)) {
      for (const [target, dep] of Object.entries(dependsOn(svc))) {
        expect(services[target], `${name} depends on missing ${target}`).toBeDefined();
        expect(dep.condition, `${name} → ${target} has no condition`).toMatch(
          /^service_(healthy|started|completed_successfully)$/,
        );
        // A service in a profile is absent by default: nothing outside it may depend on it.
        if (services[target]?.profiles) expect(svc.profiles, `${name} → ${target}`).toBeDefined();
      }
    }
    for (const name of ['api', 'worker']) {
      expect(dependsOn(services[name] as Service)).toEqual({
        migrate: { condition: 'service_completed_successfully' },
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
      });
    }
    expect(dependsOn(services.migrate as Service)).toEqual({ postgres: { condition: 'service_healthy' } });
  });

  it('gives every long-running service a healthcheck (rule in NO_HEALTHCHECK)', () => {
    const dependants = Object.values(services).flatMap((svc) => Object.entries(dependsOn(svc)));
    for (const [name, svc] of Object.entries(services)) {
      const oneShot = svc.restart === 'no';
      if (oneShot) {
        // Waited for as a job, never as a healthy service.
        const conditions = dependants.filter(([t]) => t === name).map(([, d]) => d.condition);
        expect(conditions.length, `${name} is one-shot but nothing waits for it`).toBeGreaterThan(0);
        expect(new Set(conditions), name).toEqual(new Set(['service_completed_successfully']));
        expect(svc.healthcheck, name).toBeUndefined();
      } else if (name in NO_HEALTHCHECK) {
        expect(svc.healthcheck, name).toBeUndefined();
        expect(
          dependants.filter(([t, d]) => t === name && d.condition === 'service_healthy'),
          `${name} has no healthcheck but something waits for it to be healthy`,
        ).toEqual([]);
      } else {
        expect(svc.healthcheck?.test, `${name} lacks a healthcheck`).toBeDefined();
        expect(svc.healthcheck?.disable, name).not.toBe(true);
      }
    }
    expect(Object.keys(services).filter((n) => services[n]?.restart === 'no')).toEqual(['migrate']);
    // The Berth probes hit the role's own port.
    expect(JSON.stringify(services.api?.healthcheck?.test)).toContain(`127.0.0.1:${API_PORT}/healthz`);
    expect(JSON.stringify(services.worker?.healthcheck?.test)).toContain(`127.0.0.1:${WORKER_PORT}/healthz`);
    expect(services.postgres?.healthcheck?.test?.toString()).toContain('pg_isready');
    expect(services.redis?.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
  });

  it('resolves every $VAR reference from .env.example or a default', () => {
    const used = new Set<string>();
    for (const m of composeText.replace(/\$\$/g, '').matchAll(VAR_RE)) {
      const [, name, op] = m;
      used.add(name as string);
      const hasDefault = op === ':-' || op === '-';
      expect(
        hasDefault || (name as string) in envExample,
        `\${${name}} has no default and is not in .env.example`,
      ).toBe(true);
    }
    // .env.example lists every variable compose uses (and nothing compose ignores).
    expect(Object.keys(envExample).sort()).toEqual([...used].sort());
    // A `$` not part of ${VAR} or $$ would be interpolated by compose by surprise.
    expect(composeText.replace(/\$\$/g, '').replace(VAR_RE, '')).not.toContain('$');
  });

  it('publishes no host port twice', () => {
    const seen = new Map<string, string>();
    for (const [name, svc] of Object.entries(services)) {
      for (const { port } of publishedPorts(svc)) {
        expect(port, `${name} publishes an empty port`).toMatch(/^\d+$/);
        expect(seen.get(port), `host port ${port}: ${seen.get(port)} and ${name}`).toBeUndefined();
        seen.set(port, name);
      }
    }
  });

  it('pins every image tag (no latest, no bare name)', () => {
    for (const [name, svc] of Object.entries(services)) {
      expect(svc.image, `${name} has no image`).toBeDefined();
      const image = interpolate(svc.image as string);
      const tag = /:([^/:@]+)$/.exec(image)?.[1];
      expect(tag, `${name}: ${image} has no tag`).toBeDefined();
      expect(tag, `${name}: ${image}`).not.toMatch(/latest/i);
      // Third-party images carry a version: a digit in the tag (e.g. 16.6, v2.55.1).
      if (!BERTH_SERVICES.includes(name as (typeof BERTH_SERVICES)[number]))
        expect(tag, `${name}: ${image}`).toMatch(/\d+\.\d+/);
    }
    expect(composeText).not.toMatch(/:latest\b/);
  });

  it('sets only variables Berth knows on Berth services (or justified non-Berth ones)', () => {
    const known = new Set(envMap.map((e) => e.env));
    for (const name of Object.keys(NON_BERTH_ENV)) expect(known.has(name), name).toBe(false);
    for (const name of BERTH_SERVICES) {
      for (const key of Object.keys(environment(services[name] as Service))) {
        expect(known.has(key) || key in NON_BERTH_ENV, `${name}: ${key} is not in envMap nor allowed`).toBe(
          true,
        );
      }
    }
    const api = environment(services.api as Service);
    const worker = environment(services.worker as Service);
    for (const env of [api, worker]) {
      expect(env.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
      expect(env.REDIS_URL).toBe('redis://redis:6379');
      // HOST=0.0.0.0 (the image's default) needs keys, unless auth is off.
      expect(env.BERTH_API_KEYS || env.BERTH_AUTH === 'off').toBeTruthy();
      expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otel-collector:4318');
    }
    expect(environment(services.migrate as Service).DATABASE_URL).toBe(api.DATABASE_URL);
    expect(api.PORT).toBe(String(API_PORT));
    expect(worker.WORKER_PORT).toBe(String(WORKER_PORT));
  });

  it('runs Redis with noeviction and append-only persistence, Postgres 16 with volumes', () => {
    const cmd = services.redis?.command as string[];
    expect(cmd.join(' ')).toContain('--maxmemory-policy noeviction');
    expect(cmd.join(' ')).toContain('--appendonly yes');
    expect(services.redis?.image).toMatch(/^redis:7\./);
    expect(services.postgres?.image).toMatch(/^postgres:16\./);
    for (const name of ['postgres', 'redis', 'prometheus', 'grafana', 'ollama']) {
      const named = (services[name]?.volumes ?? []).map((v) =>
        typeof v === 'string' ? v.split(':')[0] : v.source,
      );
      expect(
        named.some((v) => v && v in (compose.volumes ?? {})),
        `${name} keeps no data in a volume`,
      ).toBe(true);
    }
  });
});

describe('deploy/compose', () => {
  it('Prometheus scrapes the api and every worker at the ports Berth listens on', () => {
    type Job = {
      job_name: string;
      metrics_path?: string;
      static_configs?: { targets: string[] }[];
      dns_sd_configs?: { names: string[]; type?: string; port?: number }[];
    };
    const config = parse(read('deploy/compose/prometheus/prometheus.yml')) as { scrape_configs: Job[] };
    const targets = config.scrape_configs.flatMap((job) => [
      ...(job.static_configs ?? []).flatMap((s) => s.targets.map((t) => ({ job, t }))),
      ...(job.dns_sd_configs ?? []).flatMap((d) => d.names.map((n) => ({ job, t: `${n}:${d.port}` }))),
    ]);
    const api = targets.find(({ t }) => t === `api:${API_PORT}`);
    const worker = targets.find(({ t }) => t === `worker:${WORKER_PORT}`);
    expect(api, 'no scrape of api:8080').toBeDefined();
    expect(worker, 'no scrape of worker:8081').toBeDefined();
    for (const { job } of [api, worker] as { job: Job }[])
      expect(job.metrics_path ?? '/metrics').toBe('/metrics');
    // Scaled workers share one name: DNS discovery finds every replica.
    expect(worker?.job.dns_sd_configs).toBeDefined();
    // The mounted file is this one.
    expect(services.prometheus?.volumes).toContain(
      './deploy/compose/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro',
    );
  });

  it("Prometheus loads Berth's alert rules (deploy/monitoring/berth-rules.yaml)", () => {
    const config = parse(read('deploy/compose/prometheus/prometheus.yml')) as { rule_files?: string[] };
    expect(config.rule_files).toEqual(['/etc/prometheus/rules/*.yaml']);
    expect(services.prometheus?.volumes).toContain(
      './deploy/monitoring/berth-rules.yaml:/etc/prometheus/rules/berth-rules.yaml:ro',
    );
  });

  it('Grafana has the Prometheus data source and a dashboard using only metrics Berth exports', () => {
    const exported = berthMetrics();
    // The metrics the dashboard is about; if one is renamed in src/, this (and the expr check) fails.
    for (const name of [
      'berth_http_request_duration_seconds',
      'berth_tasks_finished_total',
      'berth_steps_total',
      'berth_queue_depth',
      'berth_queue_oldest_wait_seconds',
      'berth_llm_calls_total',
      'berth_llm_breaker_state',
    ])
      expect(exported.has(name), `${name} is not registered in src/`).toBe(true);
    const allowed = seriesNames(exported);

    const sources = parse(read('deploy/compose/grafana/provisioning/datasources/datasources.yaml')) as {
      datasources: { uid: string; type: string; url: string }[];
    };
    const prometheus = sources.datasources.find((d) => d.type === 'prometheus');
    expect(prometheus?.url).toBe('http://prometheus:9090');

    const providers = parse(read('deploy/compose/grafana/provisioning/dashboards/berth.yaml')) as {
      providers: { options: { path: string } }[];
    };
    expect(services.grafana?.volumes).toContain(
      `./deploy/monitoring/dashboards:${providers.providers[0]?.options.path}:ro`,
    );

    type Panel = {
      title: string;
      datasource?: { uid: string };
      targets?: { expr: string }[];
      panels?: Panel[];
    };
    const dashboard = JSON.parse(read('deploy/monitoring/dashboards/berth.json')) as { panels: Panel[] };
    const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
    const used = new Set<string>();
    for (const panel of panels) {
      for (const { expr } of panel.targets ?? []) {
        expect(panel.datasource?.uid, panel.title).toBe(prometheus?.uid);
        const names = metricNamesIn(expr);
        expect(names.length, `${panel.title}: ${expr} selects no metric`).toBeGreaterThan(0);
        for (const name of names) {
          expect(
            allowed.has(name) || PROMETHEUS_BUILTIN.has(name),
            `${panel.title}: ${name} is not exported`,
          ).toBe(true);
          used.add(name.replace(/_(bucket|sum|count)$/, ''));
        }
      }
    }
    for (const name of [
      'berth_http_request_duration_seconds',
      'berth_queue_depth',
      'berth_llm_breaker_state',
    ])
      expect(used.has(name), `dashboard does not show ${name}`).toBe(true);
  });

  it('metricNamesIn finds metric selectors and ignores functions, labels and ranges', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.95, sum by (le, route) (rate(berth_http_request_duration_seconds_bucket{job="x"}[5m])))',
      ),
    ).toEqual(['berth_http_request_duration_seconds_bucket']);
    expect(metricNamesIn('max by (state) (berth_queue_depht)')).toEqual(['berth_queue_depht']);
  });

  it('the OTel Collector forwards OTLP traces to Jaeger', () => {
    const config = parse(read('deploy/compose/otel-collector/config.yaml')) as {
      exporters: Record<string, { endpoint?: string }>;
      service: { pipelines: Record<string, { receivers: string[]; exporters: string[] }> };
    };
    expect(config.service.pipelines.traces?.receivers).toContain('otlp');
    const exporters = config.service.pipelines.traces?.exporters ?? [];
    expect(exporters.map((e) => config.exporters[e]?.endpoint)).toContain('jaeger:4317');
  });
});

/**
 * `docker compose` (the plugin), if it runs here; else the reason to skip. Debian's podman-compose
 * (1.0.3) has no `config` command, and the plugin is not packaged for this machine.
 */
function composeTool(): { cmd: string[] } | { skip: string } {
  if (spawnSync('docker', ['compose', 'version']).status === 0) return { cmd: ['docker', 'compose'] };
  return { skip: 'the `docker compose` plugin is not installed' };
}
const tool = composeTool();

describe('compose config', () => {
  it.skipIf('skip' in tool)(
    `validates with the compose CLI${'skip' in tool ? ` (skipped: ${tool.skip})` : ''}`,
    () => {
      if (!('cmd' in tool)) return;
      const [bin, ...args] = tool.cmd as [string, ...string[]];
      const result = spawnSync(
        bin,
        [...args, '-f', 'compose.yaml', '--env-file', '.env.example', '--profile', 'ollama', 'config', '-q'],
        { cwd: ROOT, encoding: 'utf8', env: { ...process.env, BERTH_API_KEYS: 'compose-config-test' } },
      );
      expect(result.status, result.stderr).toBe(0);
    },
  );
});

/** A Compose CLI other than the v2 plugin, with its version, if installed. */
function installed(cmd: string, args: string[]): string | undefined {
  const result = spawnSync(cmd, args, { encoding: 'utf8' });
  return result.status === 0 ? `${result.stdout}${result.stderr}` : undefined;
}
const composeV1 = installed('docker-compose', ['version', '--short'])?.trim();
const podmanCompose = installed('podman-compose', ['--help']);

// What docs/compose.md says of the Compose CLIs Debian ships.
describe('compose CLIs the file does not support', () => {
  it.skipIf(!composeV1?.startsWith('1.'))(
    `Compose v1 refuses the file over its top-level name${composeV1?.startsWith('1.') ? '' : ' (skipped: docker-compose 1.x is not installed)'}`,
    () => {
      const result = spawnSync(
        'docker-compose',
        ['-f', 'compose.yaml', '--env-file', '.env.example', 'config', '-q'],
        { cwd: ROOT, encoding: 'utf8', env: { ...process.env, BERTH_API_KEYS: 'compose-config-test' } },
      );
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/'name' does not match any of the regexes/);
      expect(read('docs/compose.md')).toContain("'name' does not match any of the regexes");
    },
  );

  it.skipIf(!podmanCompose)(
    `podman-compose has no config command to check the file with${podmanCompose ? '' : ' (skipped: podman-compose is not installed)'}`,
    () => {
      expect(podmanCompose).not.toMatch(/^\s+config\s/m);
      expect(podmanCompose).toMatch(/^\s+up\s/m);
    },
  );

  it('says which Compose it needs, and what the test runs', () => {
    const doc = read('docs/compose.md');
    expect(doc).toMatch(/needs \*\*Compose v2\*\*/);
    expect(doc).not.toMatch(/`docker compose` or `podman-compose` is installed/);
    expect(composeText).toMatch(/^name: /m);
  });
});

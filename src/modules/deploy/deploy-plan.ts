// The generator reads the whole config (agents, providers, fetch and webhook allow lists, scaling): the one module that takes it all.
import type { Config } from '../../app/config.js';
import { envMap } from '../../platform/config/index.js';
import type { DeployEnvironment, DeployEnvironmentName } from './deploy.schema.js';
import { type DeployIssue, issue } from './deploy-issues.js';
import { allowEntryEndpoint, type EgressTarget, egressTarget, smtpEndpoint, urlEndpoint } from './egress.js';
import { type ImageRef, parseImage } from './image-ref.js';

type Provider = Config['llm']['provider'];

/** What each model provider needs from a deployment: its key (if any) and where its API is. */
const PROVIDERS: Record<
  Exclude<Provider, 'offline'>,
  { secret?: string; baseUrl: (llm: Config['llm']) => string | undefined; baseKey: string }
> = {
  openai: {
    secret: 'OPENAI_API_KEY',
    baseUrl: (llm) => llm.openai.baseUrl ?? 'https://api.openai.com/v1',
    baseKey: 'llm.openai.baseUrl',
  },
  anthropic: {
    secret: 'ANTHROPIC_API_KEY',
    baseUrl: (llm) => llm.anthropic.baseUrl ?? 'https://api.anthropic.com/v1',
    baseKey: 'llm.anthropic.baseUrl',
  },
  google: {
    secret: 'GOOGLE_GENERATIVE_AI_API_KEY',
    baseUrl: (llm) => llm.google.baseUrl ?? 'https://generativelanguage.googleapis.com/v1beta',
    baseKey: 'llm.google.baseUrl',
  },
  ollama: { baseUrl: (llm) => llm.ollama.baseUrl, baseKey: 'llm.ollama.baseUrl' },
  'openai-compatible': {
    baseUrl: (llm) => llm.openaiCompatible.baseUrl,
    baseKey: 'llm.openaiCompatible.baseUrl',
  },
};

/** Variables of berth-secrets: never in a ConfigMap, always a reference. */
export const SECRET_VARIABLES = new Set([
  'DATABASE_URL',
  'REDIS_URL',
  'BERTH_API_KEYS',
  'OPENAI_API_KEY',
  'ANTHROPIC_API_KEY',
  'GOOGLE_GENERATIVE_AI_API_KEY',
  'GEMINI_API_KEY',
  'BERTH_LLM_API_KEY',
  'BERTH_OIDC_CLIENT_SECRET',
  'BERTH_SESSION_SECRET',
  // user:password@ in the URL.
  'BERTH_SMTP_URL',
  'BERTH_AUDIT_SIGNING_KEY',
  // Chat webhooks (Slack, Teams, Discord) carry their credential in the URL's path.
  'BERTH_APPROVAL_NOTIFY_URL',
]);
/** In berth-secrets whatever the config says (the base's three). */
export const BASE_SECRETS = ['DATABASE_URL', 'REDIS_URL', 'BERTH_API_KEYS'] as const;
// Set by the manifests themselves (listen address, ports, data dir) or by the environment (LOG_LEVEL).
const OWNED_BY_MANIFESTS = new Set(['HOST', 'PORT', 'WORKER_PORT', 'BERTH_DATA_DIR', 'LOG_LEVEL']);

export interface ProviderUse {
  provider: Exclude<Provider, 'offline'>;
  /** Who uses it: "llm.provider" (the default agent) and agents.<i> keys. */
  usedBy: string[];
}

export interface SecretRef {
  variable: string;
  remoteKey: string;
  /** Why the deployment needs it, for comments. */
  reason: string;
}

export interface DeployPlan {
  env: DeployEnvironmentName;
  environment: DeployEnvironment;
  image: ImageRef;
  providers: ProviderUse[];
  /** berth-secrets' keys beyond the base's three, in a stable order. */
  extraSecrets: SecretRef[];
  /** Remote keys of the base's three. */
  baseSecrets: SecretRef[];
  llmEgress: EgressTarget[];
  fetchEgress: EgressTarget[];
  /** http_post's tools.webhookAllow and the approvals' notifyUrl. */
  webhookEgress: EgressTarget[];
  /** send_email's server (tools.smtp.url). */
  smtpEgress: EgressTarget[];
  /** ConfigMap entries beyond LOG_LEVEL: every setting the config changes from its default. */
  settings: Record<string, string>;
  /** The agents, for a config file the pods read (BERTH_CONFIG); absent without agents. */
  agents?: Config['agents'];
  redisPrefix: string;
  workerConcurrency: number;
}

const get = (value: unknown, path: readonly string[]): unknown =>
  path.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], value);

const asEnvText = (value: unknown): string =>
  Array.isArray(value) ? value.join(',') : typeof value === 'string' ? value : JSON.stringify(value);

const kebab = (variable: string) =>
  variable
    .replace(/^BERTH_/, '')
    .toLowerCase()
    .replaceAll('_', '-');

function providersUsed(config: Config): ProviderUse[] {
  const uses = new Map<Exclude<Provider, 'offline'>, string[]>();
  const add = (provider: Provider, key: string) => {
    if (provider === 'offline') return;
    uses.set(provider, [...(uses.get(provider) ?? []), key]);
  };
  add(config.llm.provider, 'llm.provider');
  config.agents.forEach((agent, index) => {
    if (agent.provider) add(agent.provider, `agents.${index}.provider`);
  });
  return [...uses.entries()].map(([provider, usedBy]) => ({ provider, usedBy }));
}

function settingsFrom(config: Config, defaults: Config): Record<string, string> {
  const settings: Record<string, string> = {};
  const seen = new Set<string>();
  for (const { env, path } of envMap) {
    const key = path.join('.');
    if (seen.has(key) || OWNED_BY_MANIFESTS.has(env) || SECRET_VARIABLES.has(env)) continue;
    seen.add(key);
    const value = get(config, path);
    if (value === undefined || JSON.stringify(value) === JSON.stringify(get(defaults, path))) continue;
    settings[env] = asEnvText(value);
  }
  return settings;
}

function secretsFrom(config: Config, env: DeployEnvironmentName, providers: ProviderUse[]) {
  const needed: Omit<SecretRef, 'remoteKey'>[] = [];
  for (const use of providers) {
    const variable = PROVIDERS[use.provider].secret;
    if (variable) needed.push({ variable, reason: `${use.provider}, for ${use.usedBy.join(', ')}` });
  }
  // Secrets the config holds as values become references: their values never leave berth.yaml.
  if (config.llm.openaiCompatible.apiKey)
    needed.push({ variable: 'BERTH_LLM_API_KEY', reason: 'llm.openaiCompatible.apiKey' });
  if (config.auth.oidc.clientSecret)
    needed.push({ variable: 'BERTH_OIDC_CLIENT_SECRET', reason: 'auth.oidc.clientSecret' });
  if (config.auth.session.secret)
    needed.push({ variable: 'BERTH_SESSION_SECRET', reason: 'auth.session.secret' });
  if (config.tools.smtp.url) needed.push({ variable: 'BERTH_SMTP_URL', reason: 'tools.smtp.url' });
  if (config.audit.signingKey)
    needed.push({ variable: 'BERTH_AUDIT_SIGNING_KEY', reason: 'audit.signingKey' });
  if (config.approvals.notifyUrl)
    needed.push({ variable: 'BERTH_APPROVAL_NOTIFY_URL', reason: 'approvals.notifyUrl' });
  const unique = needed.filter((item, i) => needed.findIndex((o) => o.variable === item.variable) === i);
  const given = config.deploy.environments[env].secretKeys;
  const keyPath = `deploy.environments.${env}.secretKeys`;
  const issues: DeployIssue[] = [];
  for (const variable of Object.keys(given ?? {})) {
    if (!SECRET_VARIABLES.has(variable) || variable === 'GEMINI_API_KEY') {
      issues.push(
        issue(`${keyPath}.${variable}`, "is not a secret Berth reads (see the README's configuration table)"),
      );
    }
  }
  const remoteKey = (variable: string) => given?.[variable] ?? `berth/${env}/${kebab(variable)}`;
  const extra = unique.map((item) => {
    if (given && !given[item.variable]) {
      issues.push(
        issue(
          `${keyPath}.${item.variable}`,
          `is missing: ${item.reason} needs ${item.variable} in berth-secrets; give its key in the secret store`,
        ),
      );
    }
    return { ...item, remoteKey: remoteKey(item.variable) };
  });
  const base = BASE_SECRETS.map((variable) => ({
    variable,
    remoteKey: remoteKey(variable),
    reason: 'every role',
  }));
  return { extra, base, issues };
}

function egressFrom(config: Config, providers: ProviderUse[]) {
  const issues: DeployIssue[] = [];
  const llm: EgressTarget[] = [];
  const fetch: EgressTarget[] = [];
  const webhooks: EgressTarget[] = [];
  const smtp: EgressTarget[] = [];
  const push = (list: EgressTarget[], target: EgressTarget | DeployIssue) => {
    if ('peer' in target) {
      if (!list.some((t) => t.endpoint === target.endpoint)) list.push(target);
    } else issues.push(target);
  };
  for (const use of providers) {
    const { baseUrl, baseKey } = PROVIDERS[use.provider];
    const url = baseUrl(config.llm);
    if (!url) {
      issues.push(issue(baseKey, `is required: ${use.usedBy.join(', ')} use ${use.provider}`));
      continue;
    }
    const { host, port } = urlEndpoint(url);
    push(llm, egressTarget(host, port, baseKey));
  }
  config.tools.fetchAllow.forEach((entry, index) => {
    const { host, port } = allowEntryEndpoint(entry);
    push(fetch, egressTarget(host, port, `tools.fetchAllow.${index}`));
  });
  // The same address policy as fetchAllow: these are the hosts the side-effecting tools may reach.
  config.tools.webhookAllow.forEach((entry, index) => {
    const { host, port } = allowEntryEndpoint(entry);
    push(webhooks, egressTarget(host, port, `tools.webhookAllow.${index}`));
  });
  if (config.approvals.notifyUrl) {
    const { host, port } = urlEndpoint(config.approvals.notifyUrl);
    push(webhooks, egressTarget(host, port, 'approvals.notifyUrl'));
  }
  if (config.tools.smtp.url) {
    const { host, port } = smtpEndpoint(config.tools.smtp.url);
    push(smtp, egressTarget(host, port, 'tools.smtp.url'));
  }
  return { llm, fetch, webhooks, smtp, issues };
}

// The base's pods get terminationGracePeriodSeconds 30 and the generator leaves the pod specs alone.
const POD_GRACE_MS = 30_000;

/** A drain the pod does not outlive: SIGKILL would cut running steps or open streams mid-way. */
function graceIssues(config: Config): DeployIssue[] {
  const grace = [
    { key: 'worker.shutdownGraceMs', ms: config.worker.shutdownGraceMs, what: 'running steps' },
    { key: 'server.shutdownGraceMs', ms: config.server.shutdownGraceMs, what: "the api's drain" },
  ];
  return grace
    .filter((g) => g.ms >= POD_GRACE_MS)
    .map((g) =>
      issue(
        g.key,
        `${g.ms} ms is not below the pods' terminationGracePeriodSeconds (${POD_GRACE_MS / 1000} s): Kubernetes would kill ${g.what} before it ends; keep it under ${POD_GRACE_MS} ms`,
      ),
    );
}

// Sections only a config file carries (no environment variable): the pods get the agents file only, so
// anything else there would be dropped without a word. Refused until the generator carries them.
function fileOnlyIssues(config: Config, defaults: Config): DeployIssue[] {
  const dropped = [
    { key: 'mcp.servers', set: config.mcp.servers.length > 0 },
    { key: 'budgets.tenants', set: Object.keys(config.budgets.tenants).length > 0 },
    { key: 'budgets.agents', set: Object.keys(config.budgets.agents).length > 0 },
    { key: 'prices', set: JSON.stringify(config.prices) !== JSON.stringify(defaults.prices) },
  ];
  return dropped
    .filter((d) => d.set)
    .map((d) =>
      issue(
        d.key,
        'berth deploy cannot carry it to the pods yet (no environment variable sets it, and the generated config file holds only the agents)',
      ),
    );
}

export interface PlanInput {
  config: Config;
  /** The config of an empty berth.yaml, to tell which settings this one changes. */
  defaults: Config;
  env: DeployEnvironmentName;
  /** `--image`; default the config's deploy.image. */
  image?: string;
}

/** Everything the targets write, decided once; every problem found, each naming its key. */
export function planDeployment(
  input: PlanInput,
): { ok: true; value: DeployPlan } | { ok: false; error: DeployIssue[] } {
  const { config, env } = input;
  const image = parseImage(input.image ?? config.deploy.image, input.image ? '--image' : 'deploy.image');
  const providers = providersUsed(config);
  const secrets = secretsFrom(config, env, providers);
  const egress = egressFrom(config, providers);
  const issues = [
    ...('message' in image ? [image] : []),
    ...secrets.issues,
    ...egress.issues,
    ...graceIssues(config),
    ...fileOnlyIssues(config, input.defaults),
  ];
  if (issues.length > 0 || 'message' in image) return { ok: false, error: issues };
  return {
    ok: true,
    value: {
      env,
      environment: config.deploy.environments[env],
      image,
      providers,
      extraSecrets: secrets.extra,
      baseSecrets: secrets.base,
      llmEgress: egress.llm,
      fetchEgress: egress.fetch,
      webhookEgress: egress.webhooks,
      smtpEgress: egress.smtp,
      settings: settingsFrom(config, input.defaults),
      agents: config.agents.length > 0 ? config.agents : undefined,
      redisPrefix: config.redisPrefix,
      workerConcurrency: config.tasks.workerConcurrency,
    },
  };
}

// The generator reads the whole config (agents, providers, fetch and webhook allow lists, scaling): the one module that takes it all.
import type { Config } from '../../app/config.js';
import { envMap } from '../../platform/config/index.js';
import type { DeployEnvironment, DeployEnvironmentName } from './deploy.schema.js';
import { type DeployIssue, issue } from './deploy-issues.js';
import { allowEntryEndpoint, type EgressTarget, egressTarget, urlEndpoint } from './egress.js';
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
  return { llm, fetch, issues };
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
  const issues = [...('message' in image ? [image] : []), ...secrets.issues, ...egress.issues];
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
      settings: settingsFrom(config, input.defaults),
      agents: config.agents.length > 0 ? config.agents : undefined,
      redisPrefix: config.redisPrefix,
      workerConcurrency: config.tasks.workerConcurrency,
    },
  };
}

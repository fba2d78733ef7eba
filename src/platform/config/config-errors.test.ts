// A bad value on every key Berth reads from the environment, set once as a variable and once in
// berth.yaml: the message names the key in both spellings, shows the value (or hides it, for a secret)
// and says what is allowed. Generated from the env map, so a new variable cannot skip it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { configSchema, loadConfig } from '../../app/config.js';
import { allowedAt } from './config-errors.js';
import { envMap } from './env-map.js';

/** Keys that take any non-empty text: nothing set through the environment can be wrong. */
const FREE_TEXT = new Set([
  'HOST',
  'BERTH_DATA_DIR',
  'BERTH_API_KEYS',
  'BERTH_LLM_MODEL',
  'OPENAI_API_KEY',
  'ANTHROPIC_API_KEY',
  'GOOGLE_GENERATIVE_AI_API_KEY',
  'GEMINI_API_KEY',
  'BERTH_LLM_API_KEY',
  'BERTH_OIDC_CLIENT_ID',
  'BERTH_OIDC_CLIENT_SECRET',
  'BERTH_OIDC_AUDIENCE',
]);

/** Keys whose pattern's own message says what is allowed: a bad value and a part of that message. */
const PATTERNS: Record<string, { value: string; says: string }> = {
  DATABASE_URL: { value: 'mysql://db/berth', says: 'must start with postgres:// or postgresql://' },
  REDIS_URL: { value: 'memcached://cache', says: 'must start with redis:// or rediss://' },
  BERTH_REDIS_PREFIX: { value: 'two words', says: 'letters, digits, "_" or "-", at most 40' },
  BERTH_FETCH_ALLOW: { value: 'intranet', says: 'is not host:port, e.g. 127.0.0.1:4567' },
  BERTH_WEBHOOK_ALLOW: { value: 'hooks.example', says: 'is not host:port, e.g. 127.0.0.1:4567' },
  BERTH_MCP_ALLOW: { value: 'mcp.example', says: 'is not host:port, e.g. 127.0.0.1:4567' },
  BERTH_SMTP_URL: { value: 'http://mail.example', says: 'must be an smtp:// or smtps:// URL' },
  BERTH_SMTP_FROM: { value: 'not an address', says: 'must be an address or "Name <address>"' },
  BERTH_OIDC_SCOPES: { value: 'profile email', says: 'must include openid' },
  BERTH_OIDC_USER_CLAIM: { value: 'a claim!', says: 'a claim name: letters, digits or _.:/-' },
  BERTH_OIDC_TENANT_CLAIM: { value: 'a claim!', says: 'a claim name: letters, digits or _.:/-' },
  BERTH_OIDC_ROLE_CLAIM: { value: 'a claim!', says: 'a claim name: letters, digits or _.:/-' },
  BERTH_OIDC_DEFAULT_TENANT: { value: 'Not_A_Tenant', says: 'a tenant id' },
  BERTH_SESSION_SECRET: { value: 'short', says: 'must be at least 32 characters' },
  BERTH_AUDIT_SIGNING_KEY: { value: 'not a key', says: 'is not an Ed25519 private key in PEM' },
};

const SECRET = /(api_?keys?|secret|password|token)$/i;

interface Case {
  env: string;
  key: string;
  value: string | number;
  /** What the message must say is allowed. */
  allowed: string;
}

/** Bad values for a key, from what its schema says it allows. */
function casesFor(env: string, path: readonly string[]): Case[] {
  const key = path.join('.');
  const pattern = PATTERNS[env];
  if (pattern) return [{ env, key, value: pattern.value, allowed: pattern.says }];
  const allowed = allowedAt(configSchema, path) ?? '';
  const range = /^a (whole )?number (?:from (-?\d+) to (-?\d+)|of at least (-?\d+))$/.exec(allowed);
  if (range) {
    const min = Number(range[2] ?? range[4]);
    const max = range[3] === undefined ? undefined : Number(range[3]);
    return [
      { env, key, value: 'twelve', allowed },
      { env, key, value: min - 1, allowed },
      ...(max === undefined ? [] : [{ env, key, value: max + 1, allowed }]),
    ];
  }
  if (allowed.startsWith('one of ')) return [{ env, key, value: 'nope', allowed }];
  if (allowed === 'true or false') return [{ env, key, value: 'maybe', allowed }];
  if (allowed === 'an http(s) URL') return [{ env, key, value: 'ftp://files.example/x', allowed }];
  const length = /^text of (?:\d+ to|at most) (\d+) characters$/.exec(allowed);
  if (length) return [{ env, key, value: 'x'.repeat(Number(length[1]) + 1), allowed }];
  throw new Error(`${env} (${key}): no bad value known for "${allowed}"; add it to PATTERNS or FREE_TEXT`);
}

const checked = envMap.filter(({ env }) => !FREE_TEXT.has(env));
const cases = checked.flatMap(({ env, path }) => casesFor(env, path));

const nested = (path: readonly string[], value: unknown): unknown =>
  path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);

function expectMessage(line: string | undefined, spelled: string, c: Case, shown: string) {
  expect(line, `no problem for ${spelled}`).toBeDefined();
  const text = line as string;
  expect(text.startsWith(`${spelled}: `), text).toBe(true);
  if (SECRET.test(c.key)) {
    expect(text).not.toContain(String(c.value));
    expect(text).toContain(`got a hidden value of ${String(c.value).length} characters`);
  } else {
    expect(text).toContain(`got ${shown}`);
  }
  expect(text).toContain(c.allowed);
}

describe('configuration errors on every key', () => {
  it('covers every variable in the env map, and knows a bad value for each that can be wrong', () => {
    expect(checked.length + [...FREE_TEXT].length).toBe(envMap.length);
    expect(new Set(cases.map((c) => c.env))).toEqual(new Set(checked.map((e) => e.env)));
  });

  it.each([...FREE_TEXT].map((env) => [env]))('%s takes any text', (env) => {
    expect(loadConfig({ env: { [env]: 'any text at all: ünïcode, spaces' }, cwd: tmpdir() }).ok).toBe(true);
  });

  it.each(cases.map((c) => [`${c.env}=${c.value}`, c] as const))('in the environment: %s', (_name, c) => {
    const result = loadConfig({ env: { [c.env]: String(c.value) }, cwd: tmpdir() });
    const lines = result.ok ? [] : result.error.problems;
    const spelled = `${c.env} (${c.key})`;
    expectMessage(
      lines.find((l) => l.startsWith(spelled)),
      spelled,
      c,
      JSON.stringify(String(c.value)),
    );
  });

  it.each(cases.map((c) => [`${c.key}: ${c.value}`, c] as const))('in berth.yaml: %s', (_name, c) => {
    const cwd = mkdtempSync(join(tmpdir(), 'berth-config-table-'));
    const file = join(cwd, 'berth.yaml');
    const path = c.key.split('.');
    // A list key takes a list in the file; its entry is what is checked.
    const value = allowedAt(configSchema, path)?.startsWith('a list') ? [c.value] : c.value;
    writeFileSync(file, stringify(nested(path, value)));
    const result = loadConfig({ env: {}, cwd });
    const lines = result.ok ? [] : result.error.problems;
    const names = envMap.filter((e) => e.path.join('.') === c.key).map((e) => e.env);
    const spelled = `${names.join(' or ')} (${c.key} in ${file})`;
    expectMessage(
      lines.find((l) => l.startsWith(spelled)),
      spelled,
      c,
      JSON.stringify(value),
    );
  });
});

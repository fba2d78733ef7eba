import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config.js';

const cwdWith = (yaml?: string) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-config-'));
  if (yaml !== undefined) writeFileSync(join(dir, 'berth.yaml'), yaml);
  return dir;
};

const problems = (result: ReturnType<typeof loadConfig>) => (result.ok ? [] : result.error.problems);

describe('loadConfig', () => {
  it('has working defaults with no file and no environment', () => {
    const result = loadConfig({ env: {}, cwd: cwdWith() });
    expect(result.ok && result.value).toMatchObject({
      server: { host: '127.0.0.1', port: 8080, bodyLimitBytes: 1_048_576 },
      dataDir: './.berth',
      logLevel: 'info',
      auth: { mode: 'auto', apiKeys: [] },
      llm: { provider: 'offline', timeoutMs: 60_000, maxRetries: 2 },
      agents: [],
    });
  });

  it('layers defaults, then berth.yaml, then the environment', () => {
    const cwd = cwdWith('server:\n  port: 9000\n  host: 0.0.0.0\nlogLevel: debug\n');
    const result = loadConfig({ env: { PORT: '9100', BERTH_API_KEYS: ' a , b ,' }, cwd });
    expect(result.ok && result.value.server).toMatchObject({ port: 9100, host: '0.0.0.0' });
    expect(result.ok && result.value.logLevel).toBe('debug');
    expect(result.ok && result.value.auth.apiKeys).toEqual(['a', 'b']);
  });

  it('reads the file named by BERTH_CONFIG, and says when it is missing', () => {
    const dir = cwdWith();
    writeFileSync(join(dir, 'other.yaml'), 'agents:\n  - name: helper\n    historyWindow: 3\n');
    const result = loadConfig({ env: { BERTH_CONFIG: 'other.yaml' }, cwd: dir });
    expect(result.ok && result.value.agents[0]).toMatchObject({
      name: 'helper',
      historyWindow: 3,
      maxOutputTokens: 1024,
    });
    expect(problems(loadConfig({ env: { BERTH_CONFIG: 'nope.yaml' }, cwd: dir }))[0]).toMatch(
      /^BERTH_CONFIG: file .*nope\.yaml does not exist/,
    );
  });

  it.each([
    [
      { PORT: '99999' },
      /^PORT \(server\.port\): too big; got "99999"; allowed: a whole number from 0 to 65535$/,
    ],
    [
      { PORT: 'abc' },
      /^PORT \(server\.port\): not a number; got "abc"; allowed: a whole number from 0 to 65535$/,
    ],
    [
      { LOG_LEVEL: 'loud' },
      /^LOG_LEVEL \(logLevel\): .*got "loud"; allowed: one of fatal, error, warn, info,/,
    ],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL \(databaseUrl\): must start with postgres:\/\//],
    [
      { OLLAMA_BASE_URL: 'ftp://x' },
      /^OLLAMA_BASE_URL \(llm\.ollama\.baseUrl\): must be an http\(s\) URL; got "ftp:\/\/x"$/,
    ],
    [{ BERTH_AUTH: 'maybe' }, /^BERTH_AUTH \(auth\.mode\): .*got "maybe"; allowed: one of auto, on, off$/],
  ])('names the variable at fault, its value and what is allowed: %o', (env, message) => {
    expect(problems(loadConfig({ env, cwd: cwdWith() }))[0]).toMatch(message);
  });

  it('says a missing model in both spellings, wherever the provider came from', () => {
    expect(problems(loadConfig({ env: { BERTH_LLM_PROVIDER: 'openai' }, cwd: cwdWith() }))).toEqual([
      'BERTH_LLM_MODEL (llm.model): is required when the provider is openai',
    ]);
    const cwd = cwdWith('llm:\n  provider: ollama\n');
    expect(problems(loadConfig({ env: {}, cwd }))).toEqual([
      'BERTH_LLM_MODEL (llm.model): is required when the provider is ollama',
    ]);
  });

  it('names file keys at fault, including inside agents, and unknown keys by name', () => {
    const cwd = cwdWith(
      'agents:\n  - name: a\n  - name: a\n  - name: "bad name!"\n    historyWindow: 0\nsurprise: 1\nserver:\n  prot: 80\n',
    );
    const file = join(cwd, 'berth.yaml');
    const found = problems(loadConfig({ env: {}, cwd }));
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^agents\.2\.name in .*berth\.yaml: letters, digits.*; got "bad name!"$/),
        `agents.2.historyWindow in ${file}: too small; got 0; allowed: a whole number from 1 to 500`,
        expect.stringMatching(
          new RegExp(`^surprise in ${file}: unknown key; got 1; allowed: server, dataDir, `),
        ),
        `server.prot in ${file}: unknown key; got 80; allowed: host, port, bodyLimitBytes, shutdownGraceMs, requestTimeoutMs, publicUrl`,
      ]),
    );
    const duplicate = problems(loadConfig({ env: {}, cwd: cwdWith('agents:\n  - name: a\n  - name: a\n') }));
    expect(duplicate[0]).toMatch(/agents\.1\.name.*declared twice/);
  });

  it('never shows a secret: keys, secrets and the password of a URL', () => {
    const env = {
      DATABASE_URL: 'mysql://berth:hunter2@db:3306/berth',
      REDIS_URL: 'http://:s3cret@cache:6379',
      BERTH_SESSION_SECRET: 'tooshort',
    };
    const cwd = cwdWith('auth:\n  apiKeys: [12345678, key-abc]\nllm:\n  openai:\n    apiKey: [sk-live-1]\n');
    const found = problems(loadConfig({ env, cwd }));
    const text = found.join('\n');
    for (const secret of ['hunter2', 's3cret', 'tooshort', '12345678', 'sk-live-1'])
      expect(text).not.toContain(secret);
    expect(text).toContain('got "mysql://berth:****@db:3306/berth"');
    expect(text).toContain('got "http://:****@cache:6379"');
    expect(text).toContain('BERTH_SESSION_SECRET (auth.session.secret): must be at least 32 characters');
    expect(text).toContain('got a hidden value of 8 characters');
    expect(text).toMatch(/auth\.apiKeys\.0 in .*: expected text; got a hidden value of 8 characters/);
    expect(text).toMatch(
      /OPENAI_API_KEY \(llm\.openai\.apiKey in .*berth\.yaml\): expected text; got 1 hidden value$/m,
    );
  });

  it('reports checks beyond the schema in the same format, naming the file', () => {
    const cwd = cwdWith('agents:\n  - name: reader\n    tools: [fetch_url, teleport]\n');
    const checks = [
      () => [
        { path: ['agents', 0, 'tools', 1], message: 'unknown tool', allowed: 'fetch_url, extract_text' },
      ],
    ];
    expect(problems(loadConfig({ env: {}, cwd, checks }))).toEqual([
      `agents.0.tools.1 in ${join(cwd, 'berth.yaml')}: unknown tool; got "teleport"; allowed: fetch_url, extract_text`,
    ]);
  });

  it('reports YAML that does not parse, and a file that is not a mapping', () => {
    expect(problems(loadConfig({ env: {}, cwd: cwdWith('server: [unclosed\n') }))[0]).toMatch(
      /not valid YAML/,
    );
    expect(problems(loadConfig({ env: {}, cwd: cwdWith('- a\n- b\n') }))[0]).toMatch(/must be a mapping/);
  });
});

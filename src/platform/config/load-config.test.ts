import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';

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
    [{ PORT: '99999' }, /^PORT \(server\.port\): .*65535/],
    [{ PORT: 'abc' }, /^PORT \(server\.port\): /],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL \(logLevel\): .*"info"/],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL \(databaseUrl\): must start with postgres:\/\//],
    [{ BERTH_LLM_PROVIDER: 'openai' }, /^llm\.model: is required when the provider is openai/],
    [{ OLLAMA_BASE_URL: 'ftp://x' }, /^OLLAMA_BASE_URL \(llm\.ollama\.baseUrl\): must be an http\(s\) URL/],
    [{ BERTH_AUTH: 'maybe' }, /^BERTH_AUTH \(auth\.mode\): /],
  ])('names the variable at fault: %o', (env, message) => {
    expect(problems(loadConfig({ env, cwd: cwdWith() }))[0]).toMatch(message);
  });

  it('names file keys at fault, including inside agents', () => {
    const cwd = cwdWith(
      'agents:\n  - name: a\n  - name: a\n  - name: "bad name!"\n    historyWindow: 0\nsurprise: 1\n',
    );
    const found = problems(loadConfig({ env: {}, cwd }));
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^agents\.2\.name in .*berth\.yaml: /),
        expect.stringMatching(/^agents\.2\.historyWindow in .*berth\.yaml: /),
        expect.stringMatching(/surprise/),
      ]),
    );
    const duplicate = problems(loadConfig({ env: {}, cwd: cwdWith('agents:\n  - name: a\n  - name: a\n') }));
    expect(duplicate[0]).toMatch(/agents\.1\.name.*declared twice/);
  });

  it('reports YAML that does not parse, and a file that is not a mapping', () => {
    expect(problems(loadConfig({ env: {}, cwd: cwdWith('server: [unclosed\n') }))[0]).toMatch(
      /not valid YAML/,
    );
    expect(problems(loadConfig({ env: {}, cwd: cwdWith('- a\n- b\n') }))[0]).toMatch(/must be a mapping/);
  });
});

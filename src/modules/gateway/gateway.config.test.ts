import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config.js';

function load(yaml: string[]) {
  const path = join(mkdtempSync(join(tmpdir(), 'berth-gateway-config-')), 'berth.yaml');
  writeFileSync(path, yaml.join('\n'));
  return loadConfig({ env: { BERTH_CONFIG: path }, cwd: tmpdir() });
}

const problems = (loaded: ReturnType<typeof load>): string => (loaded.ok ? '' : loaded.error.message);

describe('the gateway config section', () => {
  it('reads model routes with their defaults', () => {
    const loaded = load([
      'gateway:',
      '  routes:',
      '    - { model: gpt-4.1-mini, provider: openai }',
      '    - { model: local/llama3.2, provider: ollama, target: llama3.2, tenants: [acme], type: embedding }',
    ]);
    expect(loaded.ok && loaded.value.gateway.routes).toEqual([
      { model: 'gpt-4.1-mini', provider: 'openai', type: 'chat', maxOutputTokens: 4096 },
      {
        model: 'local/llama3.2',
        provider: 'ollama',
        target: 'llama3.2',
        tenants: ['acme'],
        type: 'embedding',
        maxOutputTokens: 4096,
      },
    ]);
    const empty = load([]);
    expect(empty.ok && empty.value.gateway).toEqual({ routes: [] });
  });

  it('refuses a route declared twice, one named like an agent and the offline provider', () => {
    const loaded = load([
      'agents:',
      '  - name: writer',
      'gateway:',
      '  routes:',
      '    - { model: writer, provider: openai }',
      '    - { model: dup, provider: openai }',
      '    - { model: dup, provider: anthropic }',
    ]);
    expect(problems(loaded)).toContain('gateway.routes.0.model');
    expect(problems(loaded)).toContain("is also an agent's name");
    expect(problems(loaded)).toContain('"dup" is declared twice');
    expect(problems(load(['gateway:', '  routes:', '    - { model: x, provider: offline }']))).toContain(
      'gateway.routes.0.provider',
    );
  });

  it('refuses a passthrough agent with tools of its own or on the offline model', () => {
    const loaded = load(['agents:', '  - { name: relay, passthrough: true, tools: [fetch_url] }']);
    expect(problems(loaded)).toContain('agents.0.tools');
    expect(problems(loaded)).toContain('agents.0.passthrough');
    expect(
      load(['agents:', '  - { name: relay, passthrough: true, provider: openai, model: gpt-4.1 }']).ok,
    ).toBe(true);
  });
});

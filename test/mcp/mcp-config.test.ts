// The mcp section of berth.yaml through the real loader: secrets as ${ENV_NAME}, the allow list,
// names, and agents naming MCP tools.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/app/config.js';
import { appConfigChecks } from '../../src/app/core.js';
import { tempDir } from '../support/berth-instance.js';

function load(yaml: string[], env: Record<string, string> = {}) {
  const dir = tempDir('berth-mcp-config-');
  writeFileSync(join(dir, 'berth.yaml'), yaml.join('\n'));
  return loadConfig({ env, cwd: dir, checks: appConfigChecks });
}
const problems = (result: ReturnType<typeof load>) => (result.ok ? [] : result.error.problems);

const server = (extra: string[] = [], tools = ['      echo: { sideEffects: false }']) => [
  'mcp:',
  '  servers:',
  '    - name: files',
  '      command: npx',
  '      args: [-y, some-mcp-server]',
  ...extra,
  '      tools:',
  ...tools.map((line) => `  ${line}`),
];

describe('the mcp section', () => {
  it('resolves ${ENV_NAME} in env and headers from the environment, and nowhere else', () => {
    const result = load(
      [
        ...server(['      env: { API_TOKEN: "${FILES_TOKEN}", MODE: "x-${FILES_MODE}-y" }']),
        'agents:',
        '  - name: helper',
        '    systemPrompt: "Keep ${FILES_TOKEN} as text"',
      ],
      { FILES_TOKEN: 'sk-secret-1', FILES_MODE: 'fast' },
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.mcp.servers[0]?.env).toEqual({ API_TOKEN: 'sk-secret-1', MODE: 'x-fast-y' });
    expect(result.value.agents[0]?.systemPrompt).toBe('Keep ${FILES_TOKEN} as text');
  });

  it('names the key and the variable when a referenced secret is not set', () => {
    const result = load(server(['      env: { API_TOKEN: "${FILES_TOKEN}" }']));
    expect(problems(result)).toEqual([
      expect.stringMatching(
        /mcp\.servers\.0\.env\.API_TOKEN in .*berth\.yaml: names \$\{FILES_TOKEN\}, which is not set/,
      ),
    ]);
  });

  it('shows the reference, never the secret, when a value around it is refused', () => {
    const result = load(
      [
        'mcp:',
        '  servers:',
        '    - name: web',
        '      url: https://mcp.example.com/mcp',
        '      headers: { "Bad Header": "Bearer ${WEB_TOKEN}" }',
        '      tools: { fetch: {} }',
      ],
      { WEB_TOKEN: 'sk-planted-secret' },
    );
    const text = problems(result).join('\n');
    expect(text).toContain('mcp.servers.0.headers.Bad Header');
    expect(text).toContain('got "Bearer ${WEB_TOKEN}"');
    expect(text).not.toContain('sk-planted-secret');
  });

  it('refuses a server with both or neither of command and url, no tools, or a name with __', () => {
    const both = load([...server(['      url: https://x.example/mcp'])]);
    expect(problems(both).join('\n')).toContain('exactly one of command (stdio) or url (HTTP)');
    const none = load(['mcp:', '  servers:', '    - name: files', '      tools: {}']);
    expect(problems(none).join('\n')).toContain('exactly one of command');
    expect(problems(none).join('\n')).toContain('lists no tools');
    const doubled = load([
      'mcp:',
      '  servers:',
      '    - name: my__files',
      '      command: x',
      '      tools: { a: {} }',
    ]);
    expect(problems(doubled).join('\n')).toContain('mcp.servers.0.name');
  });

  it('refuses a tool whose registry name would pass 64 characters, and a server declared twice', () => {
    const long = load(server([], [`      ${'t'.repeat(60)}: {}`]));
    expect(problems(long).join('\n')).toContain('is over 64 characters');
    const twice = load([...server(), '    - name: files', '      command: y', '      tools: { a: {} }']);
    expect(problems(twice).join('\n')).toContain('"files" is declared twice');
  });

  it('takes BERTH_MCP_ALLOW as host:port entries', () => {
    const ok = load([], { BERTH_MCP_ALLOW: '127.0.0.1:8931, [::1]:9000' });
    expect(ok.ok && ok.value.mcp.allow).toEqual(['127.0.0.1:8931', '[::1]:9000']);
    expect(problems(load([], { BERTH_MCP_ALLOW: 'localhost' })).join('\n')).toContain(
      'BERTH_MCP_ALLOW (mcp.allow)',
    );
  });

  it('lets an agent name an allow-listed MCP tool, and nothing else of the server', () => {
    const fine = load([...server(), 'agents:', '  - name: helper', '    tools: [files__echo]']);
    expect(fine.ok).toBe(true);
    const unknown = load([...server(), 'agents:', '  - name: helper', '    tools: [files__rm]']);
    expect(problems(unknown).join('\n')).toMatch(/agents\.0\.tools\.0.*unknown tool.*files__echo/);
  });

  it("lets an agent's chat tools name an MCP tool with side effects (the default): chat proposes its calls for approval", () => {
    const result = load([
      ...server([], ['      write: {}']),
      'agents:',
      '  - name: helper',
      '    tools: [files__write]',
    ]);
    expect(problems(result)).toEqual([]);
  });
});

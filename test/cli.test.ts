import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './support/berth-instance.js';
import { runBerth, startBerthProcess, stopProcess } from './support/cli.js';
import { getJson, postJson } from './support/http.js';

const dirs: string[] = [];
const newDataDir = () => {
  const dir = tempDir();
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

// Each spawn starts a fresh process (and a new data dir runs initdb): generous time on a loaded machine.
describe('berth CLI', { timeout: 120_000 }, () => {
  it('prints help and the version', async () => {
    const help = await runBerth(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: berth <command>/);
    expect(help.stdout).toMatch(/keys create <name>/);
    const version = await runBerth(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('names an unknown command', async () => {
    const result = await runBerth(['sail']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown command "sail"/);
  });

  it('refuses a bad setting at start, naming the variable, without a stack trace', async () => {
    const result = await runBerth(['start'], { PORT: 'eighty', BERTH_DATA_DIR: newDataDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/PORT \(server\.port\)/);
    noStackTrace(result.stderr);
    const provider = await runBerth(['start'], {
      BERTH_LLM_PROVIDER: 'skynet',
      BERTH_DATA_DIR: newDataDir(),
    });
    expect(provider.stderr).toMatch(/BERTH_LLM_PROVIDER \(llm\.provider\)/);
    expect(provider.stderr).toMatch(/offline/);
  });

  it('refuses to listen beyond loopback without a key (protected mode)', async () => {
    const result = await runBerth(['start'], { HOST: '0.0.0.0', PORT: '0', BERTH_DATA_DIR: newDataDir() });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Refusing to listen on 0\.0\.0\.0 without an API key/);
    expect(result.stderr).toMatch(/BERTH_API_KEYS/);
    expect(result.stderr).toMatch(/BERTH_AUTH=off/);
    noStackTrace(result.stderr);
  });

  it('creates, lists and revokes keys kept hashed in the store', async () => {
    const dataDir = newDataDir();
    const created = await runBerth(['keys', 'create', 'ci robot'], { BERTH_DATA_DIR: dataDir });
    expect(created.code).toBe(0);
    const key = /^\s+(berth_[A-Za-z0-9_-]+)$/m.exec(created.stdout)?.[1];
    expect(key).toBeDefined();
    const listed = await runBerth(['keys', 'list'], { BERTH_DATA_DIR: dataDir });
    expect(listed.stdout).toMatch(/ci robot/);
    expect(listed.stdout).toContain((key as string).slice(0, 12));
    expect(listed.stdout).not.toContain(key as string);

    const server = await startBerthProcess({ BERTH_DATA_DIR: dataDir });
    try {
      const anonymous = await postJson(`${server.url}/api/chat`, { message: 'hi' });
      expect(anonymous.status).toBe(401);
      const authorised = await postJson(
        `${server.url}/api/chat`,
        { message: 'hi' },
        { authorization: `Bearer ${key}` },
      );
      expect(authorised.status).toBe(200);
    } finally {
      expect(await stopProcess(server.child)).toBe(0);
    }

    const revoked = await runBerth(['keys', 'revoke', (key as string).slice(0, 12)], {
      BERTH_DATA_DIR: dataDir,
    });
    expect(revoked.code).toBe(0);
    expect((await runBerth(['keys', 'list'], { BERTH_DATA_DIR: dataDir })).stdout).toMatch(/REVOKED/);
    const again = await runBerth(['keys', 'revoke', 'berth_nope'], { BERTH_DATA_DIR: dataDir });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/No active key/);
    const bad = await runBerth(['keys', 'create'], { BERTH_DATA_DIR: dataDir });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(/usage: berth keys/);
  });

  it('keeps the history across a restart on the same data dir, and exits 0 on SIGTERM', async () => {
    const dataDir = newDataDir();
    const first = await startBerthProcess({ BERTH_DATA_DIR: dataDir });
    const reply = await postJson<{ conversation_id: string }>(`${first.url}/api/chat`, {
      message: 'remember me',
      user_id: 'carol',
    });
    expect(reply.status).toBe(200);
    expect(await stopProcess(first.child)).toBe(0);
    expect(first.output()).toMatch(/"msg":"stopped"/);

    const second = await startBerthProcess({ BERTH_DATA_DIR: dataDir });
    try {
      const history = await getJson<{ messages: Array<{ content: string; conversation_id: string }> }>(
        `${second.url}/api/chat/history/carol`,
      );
      expect(history.body.messages).toHaveLength(2);
      expect(history.body.messages[0]).toMatchObject({
        content: 'remember me',
        conversation_id: reply.body.conversation_id,
      });
    } finally {
      expect(await stopProcess(second.child)).toBe(0);
    }
  });
});

import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openPgliteStore } from '../src/platform/db/index.js';
import { tempDir } from './support/berth-instance.js';
import { runBerth, startBerthProcess, stopProcess } from './support/cli.js';
import { getJson, postJson } from './support/http.js';
import { PGLITE_TEMPLATE } from './support/paths.js';
import { createTestDatabase, freePort, postgresSkipReason } from './support/services.js';

const dirs: string[] = [];
const newDataDir = () => {
  const dir = tempDir();
  dirs.push(dir);
  return dir;
};
/** A data dir whose store exists already (from the test template): the CLI and the server skip initdb. */
async function seededDataDir(): Promise<string> {
  const dir = newDataDir();
  const store = await openPgliteStore({ dataDir: join(dir, 'pgdata'), templatePath: PGLITE_TEMPLATE });
  await store.migrate();
  await store.close();
  return dir;
}

const processes: ChildProcess[] = [];
async function startServer(env: Record<string, string>) {
  const server = await startBerthProcess(env);
  processes.push(server.child);
  return server;
}
/** A process that lives until killed: a live pid that is not Berth. */
function liveProcess(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120_000)'], { stdio: 'ignore' });
  processes.push(child);
  return child;
}
// A failing test must leave no process behind (nor, with its data dir, a lock).
afterEach(async () => {
  for (const child of processes.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
const keyIn = (stdout: string) => {
  const key = /^\s+(berth_[A-Za-z0-9_-]+)$/m.exec(stdout)?.[1];
  expect(key, stdout).toBeDefined();
  return key as string;
};
const idIn = (stdout: string) => /\(id ([0-9a-f-]{36})/.exec(stdout)?.[1] as string;
const lockFile = (dataDir: string) => join(dataDir, 'berth.lock');
const lockHolder = (dataDir: string) => JSON.parse(readFileSync(lockFile(dataDir), 'utf8'));
const chat = (url: string, key?: string) =>
  postJson(`${url}/api/chat`, { message: 'hi' }, key ? { authorization: `Bearer ${key}` } : {});

describe('berth CLI usage', { timeout: 60_000 }, () => {
  it('prints help for the program and for every command, and the version', async () => {
    const help = await runBerth(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: berth <command>/);
    for (const command of ['start', 'migrate', 'tenants', 'users', 'keys'])
      expect(help.stdout).toContain(command);
    const commands = [
      ['start'],
      ['api'],
      ['worker'],
      ['migrate'],
      ['tenants', 'create'],
      ['tenants', 'list'],
      ['users', 'add'],
      ['users', 'list'],
      ['keys', 'create'],
      ['keys', 'list'],
      ['keys', 'revoke'],
    ];
    const helps = await Promise.all(commands.map((command) => runBerth([...command, '--help'])));
    helps.forEach((result, i) => {
      const command = (commands[i] as string[]).join(' ');
      expect(result.code, command).toBe(0);
      expect(result.stdout, command).toContain(`Usage: berth ${command}`);
    });
    expect(helps[8]?.stdout).toMatch(/--tenant <slug>[\s\S]*--role <role>[\s\S]*--user <id>/);
    expect(helps[6]?.stdout).toMatch(
      /--role <role>.*choices: "viewer", "member",\s+"operator", "admin", "owner"/s,
    );
    const version = await runBerth(['-v']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('refuses unknown options and commands with exit 2, and starts no server', async () => {
    const dataDir = newDataDir();
    const port = await freePort();
    const bogus = await runBerth(['--bogus'], { BERTH_DATA_DIR: dataDir, PORT: String(port) });
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toBe("berth: unknown option '--bogus'\n");
    expect(
      await fetch(`http://127.0.0.1:${port}/healthz`).then(
        () => 'answered',
        () => 'refused',
      ),
    ).toBe('refused');
    expect(existsSync(join(dataDir, 'pgdata'))).toBe(false);

    const results = await Promise.all([
      runBerth(['sail']),
      runBerth(['keys', 'bogus']),
      runBerth(['keys']),
      runBerth(['keys', 'create']),
      runBerth(['keys', 'list', '--all-of-them']),
      runBerth(['users', 'add', 'acme', 'bob']),
      runBerth(['users', 'add', 'acme', 'bob', '--role', 'king']),
      runBerth(['tenants', 'create', 'Not A Slug']),
      runBerth(['keys', 'revoke', 'abc']),
    ]);
    for (const result of results) expect(result.code, result.stderr).toBe(2);
    const [sail, subcommand, bare, noName, option, noRole, badRole, badSlug, shortPrefix] = results.map(
      (r) => r.stderr,
    );
    expect(sail).toMatch(/^berth: unknown command 'sail'/);
    expect(subcommand).toMatch(/^berth: unknown command 'bogus'/);
    expect(bare).toMatch(/Usage: berth keys/);
    expect(noName).toMatch(/^berth: missing required argument 'name'/);
    expect(option).toMatch(/^berth: unknown option '--all-of-them'/);
    expect(noRole).toMatch(/required option '-r, --role <role>' not specified/);
    expect(badRole).toMatch(/Allowed choices are viewer, member, operator, admin, owner/);
    expect(badSlug).toMatch(/lower-case letters, digits or "-"/);
    expect(shortPrefix).toMatch(/4 to 200 characters/);
  });

  it('refuses a bad setting with exit 2, naming the variable, without a stack trace', async () => {
    const result = await runBerth(['start'], { PORT: 'eighty', BERTH_DATA_DIR: newDataDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^berth: invalid configuration: PORT \(server\.port\)/);
    noStackTrace(result.stderr);
    const provider = await runBerth(['start'], {
      BERTH_LLM_PROVIDER: 'skynet',
      BERTH_DATA_DIR: newDataDir(),
    });
    expect(provider.code).toBe(2);
    expect(provider.stderr).toMatch(/BERTH_LLM_PROVIDER \(llm\.provider\)/);
    expect(provider.stderr).toMatch(/offline/);
    const keys = await runBerth(['keys', 'list'], { PORT: 'eighty', BERTH_DATA_DIR: newDataDir() });
    expect(keys.code).toBe(2);
    expect(keys.stderr).toMatch(/PORT \(server\.port\)/);
    const configDir = newDataDir();
    writeFileSync(join(configDir, 'berth.yaml'), 'agents:\n  - name: default\n    tools: [teleport]\n');
    const tool = await runBerth(['start'], {
      BERTH_CONFIG: join(configDir, 'berth.yaml'),
      BERTH_DATA_DIR: join(configDir, 'data'),
    });
    expect(tool.code).toBe(2);
    expect(tool.stderr).toMatch(
      /^berth: invalid configuration: agents\.0\.tools\.0 in .*unknown tool; got "teleport"/,
    );
    expect(existsSync(join(configDir, 'data'))).toBe(false);
  });

  it('refuses to listen beyond loopback without a key (protected mode)', async () => {
    const result = await runBerth(['start'], {
      HOST: '0.0.0.0',
      PORT: '0',
      BERTH_DATA_DIR: await seededDataDir(),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Refusing to listen on 0\.0\.0\.0 without an API key/);
    expect(result.stderr).toMatch(/BERTH_API_KEYS/);
    expect(result.stderr).toMatch(/BERTH_AUTH=off/);
    noStackTrace(result.stderr);
  });
});

describe('berth tenants, users and keys', { timeout: 240_000 }, () => {
  it('works on the store while no server runs, and keeps it across a server start', async () => {
    const dataDir = await seededDataDir();
    const env = { BERTH_DATA_DIR: dataDir };
    const created = await runBerth(['keys', 'create', 'ci robot'], env);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/owner of tenant "default", acting as local/);
    const key = keyIn(created.stdout);
    const tenant = await runBerth(['tenants', 'create', 'acme', '--name', 'Acme Inc'], env);
    expect(tenant.stdout).toBe('Created tenant "acme" (Acme Inc).\n');
    const user = await runBerth(['users', 'add', 'acme', 'bob@acme.test', '--role', 'admin'], env);
    expect(user.stdout).toBe('User "bob@acme.test" is admin of tenant "acme".\n');
    const acmeKey = await runBerth(
      ['keys', 'create', 'bob laptop', '--tenant', 'acme', '--user', 'bob@acme.test'],
      env,
    );
    expect(acmeKey.stdout).toMatch(/admin of tenant "acme", acting as bob@acme\.test/);
    const list = await runBerth(['keys', 'list'], env);
    expect(list.stdout).toMatch(/^ID +PREFIX +NAME +ROLE +USER +STATUS +CREATED$/m);
    expect(list.stdout).toMatch(
      new RegExp(`${idIn(created.stdout)}  ${key.slice(0, 16)}  ci robot  owner  local  active`),
    );
    expect(list.stdout).not.toContain(key);
    expect(list.stdout).not.toContain('…');
    expect((await runBerth(['keys', 'list', '-t', 'acme'], env)).stdout).toMatch(
      /bob laptop +admin +bob@acme\.test +active/,
    );
    const tenants = await runBerth(['tenants', 'list'], env);
    expect(tenants.stdout).toMatch(/^acme +Acme Inc +\S+$/m);
    expect(tenants.stdout).toMatch(/^default +Default tenant/m);
    expect((await runBerth(['users', 'list', 'acme'], env)).stdout).toMatch(/^bob@acme\.test +admin/m);
    expect(existsSync(lockFile(dataDir))).toBe(false);

    const server = await startServer(env);
    expect((await chat(server.url)).status).toBe(401);
    expect((await chat(server.url, key)).status).toBe(200);
    expect(await stopProcess(server.child)).toBe(0);

    const unknown = await runBerth(['keys', 'revoke', 'berth_nope'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^berth: No active key of tenant "default"/);
    const duplicate = await runBerth(['tenants', 'create', 'acme'], env);
    expect(duplicate).toMatchObject({ code: 1, stderr: 'berth: Tenant "acme" already exists\n' });
    const badName = await runBerth(['keys', 'create', 'no/slashes'], env);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toMatch(/^berth: Key name "no\/slashes" must be/);
  });

  it('goes through the running server: key changes take effect at once and survive a restart', async () => {
    const dataDir = await seededDataDir();
    const env = { BERTH_DATA_DIR: dataDir };
    const first = await runBerth(['keys', 'create', 'first'], env);
    const firstKey = keyIn(first.stdout);
    const server = await startServer(env);
    const { pid } = server.child;
    expect(lockHolder(dataDir)).toMatchObject({ pid, command: 'start', url: server.url });

    const second = await runBerth(['keys', 'create', 'second'], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`The running server (pid ${pid}, ${server.url}) accepts it from now on.`);
    const secondKey = keyIn(second.stdout);
    expect((await chat(server.url, secondKey)).status).toBe(200);
    const keeper = await runBerth(['keys', 'create', 'keeper', '--role', 'operator'], env);
    const keeperKey = keyIn(keeper.stdout);
    expect(keeper.stdout).toMatch(/operator of tenant "default"/);

    const listed = await runBerth(['keys', 'list'], env);
    for (const k of [firstKey, secondKey, keeperKey]) expect(listed.stdout).toContain(k.slice(0, 16));
    expect(listed.stdout).toMatch(/keeper +operator +local +active/);

    // By the start of its id: refused at once (the server's own key index changed, no refresh wait).
    const byId = await runBerth(['keys', 'revoke', idIn(first.stdout).slice(0, 8)], env);
    expect(byId.code, byId.stderr).toBe(0);
    expect(byId.stdout).toMatch(/^Revoked key "first"/);
    expect(byId.stdout).toContain('refuses it from now on');
    expect((await chat(server.url, firstKey)).status).toBe(401);

    const ambiguous = await runBerth(['keys', 'revoke', 'berth_'], env);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toMatch(/^berth: "berth_" matches 2 keys; give more of the id or key\n/);
    expect(ambiguous.stderr).toContain(idIn(second.stdout));
    expect(ambiguous.stderr).toContain(idIn(keeper.stdout));
    expect((await chat(server.url, secondKey)).status).toBe(200);

    // By the start of the key: 12 characters of the 16 that are stored.
    const byKey = await runBerth(['keys', 'revoke', secondKey.slice(0, 12)], env);
    expect(byKey.stdout).toMatch(/^Revoked key "second"/);
    expect((await chat(server.url, secondKey)).status).toBe(401);

    const tenant = await runBerth(['tenants', 'create', 'acme'], env);
    expect(tenant.stdout).toBe('Created tenant "acme" (acme).\n');
    const user = await runBerth(['users', 'add', 'acme', 'dana', '--role', 'operator'], env);
    expect(user.stdout).toBe('User "dana" is operator of tenant "acme".\n');
    expect((await runBerth(['users', 'list', 'acme'], env)).stdout).toMatch(/^dana +operator/m);
    const notFound = await runBerth(['users', 'list', 'globex'], env);
    expect(notFound).toMatchObject({ code: 1, stderr: 'berth: Tenant "globex" does not exist\n' });

    // Neither a second server nor a migration opens the data dir behind the server's back.
    const again = await runBerth(['start'], { ...env, PORT: String(await freePort()) });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      new RegExp(`^berth: the data dir is in use by pid ${pid} \\(berth start\\)`),
    );
    const migrate = await runBerth(['migrate'], env);
    expect(migrate.code).toBe(1);
    expect(migrate.stderr).toMatch(new RegExp(`in use by pid ${pid} \\(berth start\\): stop it first`));

    expect(await stopProcess(server.child)).toBe(0);
    expect(existsSync(lockFile(dataDir))).toBe(false);

    const restarted = await startServer(env);
    expect((await chat(restarted.url, keeperKey)).status).toBe(200);
    expect((await chat(restarted.url, secondKey)).status).toBe(401);
    const tenants = await runBerth(['tenants', 'list'], env);
    expect(tenants.stdout).toMatch(/^acme /m);

    const last = await runBerth(['keys', 'revoke', idIn(keeper.stdout)], env);
    expect(last.code, last.stderr).toBe(0);
    expect(last.stdout).toMatch(/No active API key is left in the store/);
    expect(last.stdout).toMatch(
      /refuses every request \(401\) until a key is created: berth keys create <name>/,
    );
    expect((await chat(restarted.url)).status).toBe(401);
    expect((await chat(restarted.url, 'berth_garbage_that_is_no_key')).status).toBe(401);
    expect((await chat(restarted.url, keeperKey)).status).toBe(401);
    expect(await stopProcess(restarted.child)).toBe(0);

    const third = await startServer(env);
    expect(third.output()).toMatch(/no API key is active: every request is refused until one is created/);
    expect((await chat(third.url)).status).toBe(401);
    expect(await stopProcess(third.child)).toBe(0);
  });

  it('takes over the lock of a process that died, and waits for one that is still starting', async () => {
    const dataDir = await seededDataDir();
    const env = { BERTH_DATA_DIR: dataDir };
    const starting = liveProcess();
    writeFileSync(
      lockFile(dataDir),
      JSON.stringify({ pid: starting.pid, started_at: new Date().toISOString(), command: 'start' }),
    );
    const refused = await runBerth(['keys', 'list'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `berth: the data dir is in use by pid ${starting.pid} (berth start); try again when it has started, or stop it\n`,
    );
    starting.kill('SIGKILL');
    await once(starting, 'exit');

    // Its pid is dead now: the lock it left is stale.
    const server = await startServer({ ...env, BERTH_AUTH: 'off' });
    expect(server.output()).toMatch(
      new RegExp(`taking over the stale data dir lock of pid ${starting.pid} \\(not running any more\\)`),
    );
    expect(lockHolder(dataDir).pid).toBe(server.child.pid);
    // With auth off, the CLI still gets the operator's rights through the server's admin token.
    const tenant = await runBerth(['tenants', 'create', 'initech'], env);
    expect(tenant.code, tenant.stderr).toBe(0);
    expect(await stopProcess(server.child)).toBe(0);
    expect(existsSync(lockFile(dataDir))).toBe(false);
  });

  it('keeps the history across a restart on the same data dir, and exits 0 on SIGTERM', async () => {
    const dataDir = await seededDataDir();
    const first = await startServer({ BERTH_DATA_DIR: dataDir });
    const reply = await postJson<{ conversation_id: string }>(`${first.url}/api/chat`, {
      message: 'remember me',
      user_id: 'carol',
    });
    expect(reply.status).toBe(200);
    expect(await stopProcess(first.child)).toBe(0);
    expect(first.output()).toMatch(/"msg":"stopped"/);

    const second = await startServer({ BERTH_DATA_DIR: dataDir });
    const history = await getJson<{ messages: Array<{ content: string; conversation_id: string }> }>(
      `${second.url}/api/chat/history/carol`,
    );
    expect(history.body.messages).toHaveLength(2);
    expect(history.body.messages[0]).toMatchObject({
      content: 'remember me',
      conversation_id: reply.body.conversation_id,
    });
    expect(await stopProcess(second.child)).toBe(0);
  });
});

describe('berth keys on Postgres', { timeout: 120_000 }, () => {
  let skip: string | undefined;
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  beforeAll(async () => {
    skip = await postgresSkipReason();
    if (!skip) database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('opens the database directly; running servers pick the change up within 5 s', async (context) => {
    if (skip || !database) return context.skip(skip);
    const dataDir = newDataDir();
    const env = { DATABASE_URL: database.url, BERTH_DATA_DIR: dataDir };
    const first = await runBerth(['keys', 'create', 'first'], env);
    expect(first.code, first.stderr).toBe(0);
    const server = await startServer(env);
    const created = await runBerth(['keys', 'create', 'second'], env);
    expect(created.stdout).toContain('Running servers on this database accept it within 5 s.');
    const key = keyIn(created.stdout);
    await expect
      .poll(async () => (await chat(server.url, key)).status, { timeout: 8_000, interval: 250 })
      .toBe(200);
    const revoked = await runBerth(['keys', 'revoke', key], env);
    expect(revoked.stdout).toContain('Running servers on this database refuse it within 5 s.');
    await expect
      .poll(async () => (await chat(server.url, key)).status, { timeout: 8_000, interval: 250 })
      .toBe(401);
    expect(existsSync(lockFile(dataDir))).toBe(false);
    expect(await stopProcess(server.child)).toBe(0);
  });
});

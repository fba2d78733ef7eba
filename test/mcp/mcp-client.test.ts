// Berth's MCP client against a real MCP server process built on the SDK (test/mcp/fixtures), over
// stdio and over Streamable HTTP on loopback: tools in the registry, validation, caps, restarts.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMcpClients, type McpClients, mcpSection } from '../../src/modules/mcp/index.js';
import { ToolRegistry } from '../../src/modules/tools/index.js';
import { createLogger } from '../../src/platform/telemetry/index.js';
import { type HttpFixture, startHttpFixture, stdioFixture, waitFor } from './mcp-fixture.js';

const logger = createLogger('silent');
const ctx = (extra: Record<string, unknown> = {}) => ({
  signal: new AbortController().signal,
  idempotencyKey: 'k',
  tenantId: 'default',
  ...extra,
});
const fast = { initialDelayMs: 100, maxDelayMs: 500, pingIntervalMs: 60_000, connectTimeoutMs: 10_000 };

interface Started {
  clients: McpClients;
  registry: ToolRegistry;
}

const open: McpClients[] = [];
function start(section: unknown, timing: Record<string, number> = fast): Started {
  const config = mcpSection.parse(section);
  const clients = createMcpClients({ config, logger, version: 'test', timing });
  const registry = new ToolRegistry(clients.tools());
  clients.start(registry);
  open.push(clients);
  return { clients, registry };
}
const ready = (clients: McpClients, name = 'fixture') =>
  waitFor(`${name} ready`, () => clients.statuses().find((s) => s.name === name && s.state === 'ready'));

afterEach(async () => {
  await Promise.all(open.splice(0).map((clients) => clients.close()));
});

const stdioServer = (tools: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  servers: [{ name: 'fixture', ...stdioFixture, tools, ...extra }],
});

describe('MCP client over stdio', () => {
  it("registers the allow-listed tools under <server>__<tool>, with the server's schema once it lists them", async () => {
    const { clients, registry } = start(
      stdioServer({ echo: { sideEffects: false }, add: { sideEffects: false }, write_note: {} }),
    );
    // Named before the server answered: agents and plans can refer to them from the start.
    expect(registry.get('fixture__echo')).toBeDefined();
    expect(registry.get('fixture__hang')).toBeUndefined();
    await ready(clients);
    const echo = registry.list().find((tool) => tool.name === 'fixture__echo');
    expect(echo?.description).toContain('Says the text back');
    expect(echo?.inputSchema).toMatchObject({ type: 'object', properties: { text: { type: 'string' } } });
    expect(registry.get('fixture__write_note')?.sideEffects).toBe(true);
    expect(registry.get('fixture__echo')?.sideEffects).toBe(false);
    expect(clients.statuses()).toEqual([
      expect.objectContaining({ name: 'fixture', transport: 'stdio', state: 'ready', tools: 3, missing: [] }),
    ]);

    expect(await registry.invoke('fixture__echo', { text: 'hi' }, ctx())).toEqual({
      ok: true,
      value: { text: 'echo: hi' },
    });
    expect(await registry.invoke('fixture__add', { a: 2, b: 40 }, ctx())).toEqual({
      ok: true,
      value: { text: '42', structured: { sum: 42 } },
    });
    const bad = await registry.invoke('fixture__add', { a: 'two', b: 1 }, ctx());
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_tool_input' } });
  });

  it("reports the tool's own error as mcp_tool_error and caps the output", async () => {
    const { clients, registry } = start(
      stdioServer({ fail: { sideEffects: false }, big: { sideEffects: false } }, { maxOutputBytes: 50_000 }),
    );
    await ready(clients);
    expect(await registry.invoke('fixture__fail', {}, ctx())).toMatchObject({
      ok: false,
      error: {
        code: 'mcp_tool_error',
        retryable: false,
        message: expect.stringContaining('the fixture refused'),
      },
    });
    expect(await registry.invoke('fixture__big', {}, ctx())).toMatchObject({
      ok: false,
      error: { code: 'output_too_large' },
    });
  });

  it('picks up a tool the server adds (notifications/tools/list_changed)', async () => {
    const { clients, registry } = start(stdioServer({ add_tool: {}, late: { sideEffects: false } }));
    await ready(clients);
    expect(clients.statuses()[0]?.missing).toEqual(['late']);
    expect(await registry.invoke('fixture__late', {}, ctx())).toMatchObject({
      ok: false,
      error: { code: 'mcp_tool_unavailable', retryable: true },
    });
    expect((await registry.invoke('fixture__add_tool', {}, ctx())).ok).toBe(true);
    await waitFor('late listed', () => clients.statuses()[0]?.missing.length === 0);
    expect(registry.list().find((t) => t.name === 'fixture__late')?.description).toContain('Arrived later');
    expect(await registry.invoke('fixture__late', {}, ctx())).toEqual({
      ok: true,
      value: { text: 'late and here' },
    });
  });

  it('refuses a tenant the server is not for', async () => {
    const { clients, registry } = start(stdioServer({ echo: { sideEffects: false } }, { tenants: ['acme'] }));
    await ready(clients);
    expect(await registry.invoke('fixture__echo', { text: 'x' }, ctx({ tenantId: 'acme' }))).toMatchObject({
      ok: true,
    });
    for (const tenantId of ['globex', undefined]) {
      expect(await registry.invoke('fixture__echo', { text: 'x' }, ctx({ tenantId }))).toMatchObject({
        ok: false,
        error: { code: 'mcp_tenant_refused' },
      });
    }
  });

  it('restarts a server that crashes; calls meanwhile fail fast and retryable', async () => {
    const { clients, registry } = start(stdioServer({ crash: {}, pid: { sideEffects: false } }));
    await ready(clients);
    const first = await registry.invoke('fixture__pid', {}, ctx());
    const crashed = await registry.invoke('fixture__crash', {}, ctx());
    expect(crashed).toMatchObject({ ok: false, error: { code: 'mcp_server_unavailable', retryable: true } });
    const started = performance.now();
    const meanwhile = await registry.invoke('fixture__pid', {}, ctx());
    if (!meanwhile.ok) {
      expect(meanwhile.error).toMatchObject({ code: 'mcp_server_unavailable', retryable: true });
      expect(performance.now() - started).toBeLessThan(100);
    }
    await waitFor(
      'restarted',
      () => clients.statuses()[0]?.restarts === 1 && clients.statuses()[0]?.state === 'ready',
    );
    const second = await registry.invoke('fixture__pid', {}, ctx());
    expect(second.ok && first.ok && second.value).not.toEqual(first.ok && first.value);
    expect(clients.statuses()[0]?.last_error).toContain('closed');
  });

  it('times a hanging tool out without holding other calls, and keeps the server', async () => {
    const { clients, registry } = start(
      stdioServer({ hang: { sideEffects: false, timeoutMs: 600 }, echo: { sideEffects: false } }),
    );
    await ready(clients);
    const started = performance.now();
    const hanging = registry.invoke('fixture__hang', {}, ctx());
    const echo = await registry.invoke('fixture__echo', { text: 'meanwhile' }, ctx());
    expect(echo).toMatchObject({ ok: true });
    expect(performance.now() - started).toBeLessThan(500);
    expect(await hanging).toMatchObject({ ok: false, error: { code: 'tool_timeout', retryable: true } });
    expect(performance.now() - started).toBeLessThan(3_000);
    // The server answered the ping that followed: a slow tool is not a dead server.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(clients.statuses()[0]).toMatchObject({ state: 'ready', restarts: 0 });
  });

  it('restarts a server that stops answering at all (missed ping)', async () => {
    const { clients, registry } = start(stdioServer({ pid: { sideEffects: false } }), {
      ...fast,
      pingIntervalMs: 200,
      pingTimeoutMs: 300,
    });
    await ready(clients);
    const pid = clients.connection('fixture')?.pid() as number;
    process.kill(pid, 'SIGSTOP');
    try {
      await waitFor('restart after a hang', () => clients.statuses()[0]?.restarts === 1);
      expect(clients.statuses()[0]?.last_error).toContain('ping');
      await ready(clients);
      const now = await registry.invoke('fixture__pid', {}, ctx());
      expect(now).toMatchObject({ ok: true });
      expect(now.ok && (now.value as { text: string }).text).not.toBe(String(pid));
    } finally {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
  });

  it('is failed after three attempts that cannot start it, and names why', async () => {
    const { clients, registry } = start({
      servers: [{ name: 'broken', command: '/nonexistent/mcp-server', tools: { x: {} } }],
    });
    await waitFor('failed', () => clients.statuses()[0]?.state === 'failed');
    expect(clients.statuses()[0]?.last_error).toMatch(/ENOENT|not found|spawn/i);
    expect(await registry.invoke('broken__x', {}, ctx())).toMatchObject({
      ok: false,
      error: { code: 'mcp_server_unavailable', retryable: true },
    });
    const [check] = clients.checks();
    expect(await check?.check()).toMatchObject({ ok: true, degraded: true });
  });

  it('fails readiness for a required server that is not ready', async () => {
    const { clients } = start({
      servers: [{ name: 'broken', command: '/nonexistent/mcp-server', tools: { x: {} }, required: true }],
    });
    const [check] = clients.checks();
    expect(await check?.check()).toMatchObject({ ok: false });
  });
});

describe('MCP client over Streamable HTTP', () => {
  let fixture: HttpFixture;
  beforeAll(async () => {
    fixture = await startHttpFixture();
  });
  afterAll(() => fixture?.close());

  it('refuses a server on a private address that is not on mcp.allow (the fetch_url policy)', async () => {
    const { clients } = start({ servers: [{ name: 'web', url: fixture.url, tools: { echo: {} } }] });
    await waitFor('failed', () => clients.statuses()[0]?.state === 'failed');
    expect(clients.statuses()[0]?.last_error).toContain('BERTH_MCP_ALLOW');
  });

  it('refuses URL spellings of loopback too', async () => {
    for (const url of [
      `http://localhost:${fixture.port}/mcp`,
      `http://0x7f000001:${fixture.port}/mcp`,
      `http://[::ffff:127.0.0.1]:${fixture.port}/mcp`,
    ]) {
      const { clients } = start({ servers: [{ name: 'web', url, tools: { echo: {} } }] });
      await waitFor(`failed ${url}`, () => clients.statuses()[0]?.state === 'failed');
      expect(clients.statuses()[0]?.tools).toBe(0);
    }
  });

  it('calls tools of an allowed server, sending its headers', async () => {
    const { clients, registry } = start({
      allow: [`127.0.0.1:${fixture.port}`],
      servers: [
        {
          name: 'web',
          url: fixture.url,
          headers: { Authorization: 'Bearer from-config' },
          tools: { echo: { sideEffects: false }, auth_header: { sideEffects: false } },
        },
      ],
    });
    await ready(clients, 'web');
    expect(clients.statuses()[0]).toMatchObject({ transport: 'http', tools: 2 });
    expect(await registry.invoke('web__echo', { text: 'over http' }, ctx())).toEqual({
      ok: true,
      value: { text: 'echo: over http' },
    });
    expect(await registry.invoke('web__auth_header', {}, ctx())).toEqual({
      ok: true,
      value: { text: 'Bearer from-config' },
    });
  });
});

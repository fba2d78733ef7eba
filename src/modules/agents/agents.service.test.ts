import { describe, expect, it } from 'vitest';
import { configSchema } from '../../app/config.js';
import { createAgentCatalog } from './agents.service.js';

const tools = [
  { name: 'fetch_url', sideEffects: false },
  { name: 'send_email', sideEffects: true },
];
const configWith = (agents: unknown[]) => configSchema.parse({ agents });

describe('createAgentCatalog', () => {
  it('gives agents the tools they name, and none by default', () => {
    const catalog = createAgentCatalog(configWith([{ name: 'reader', tools: ['fetch_url'] }]), tools);
    expect(catalog.ok).toBe(true);
    if (!catalog.ok) return;
    expect(catalog.value.get('reader').tools).toEqual(['fetch_url']);
    expect(catalog.value.get('reader').maxToolSteps).toBe(5);
    expect(catalog.value.get('default').tools).toEqual([]);
  });

  it('lets an agent list a side-effecting tool: chat proposes such a call for approval instead of running it', () => {
    const config = configWith([{ name: 'a' }, { name: 'mailer', tools: ['fetch_url', 'send_email'] }]);
    const catalog = createAgentCatalog(config, tools);
    expect(catalog.ok).toBe(true);
    if (!catalog.ok) return;
    expect(catalog.value.get('mailer').tools).toEqual(['fetch_url', 'send_email']);
  });

  it('refuses an unknown tool, listing the registered ones', () => {
    const catalog = createAgentCatalog(configWith([{ name: 'a', tools: ['teleport'] }]), tools);
    expect(catalog.ok ? [] : catalog.error.problems).toEqual([
      'agents.0.tools.0: unknown tool; got "teleport"; allowed: fetch_url, send_email',
    ]);
  });

  it('names the setting a built-in needs when the configuration leaves it out', () => {
    const missing = [{ name: 'http_post', reason: 'needs BERTH_WEBHOOK_ALLOW (tools.webhookAllow)' }];
    const catalog = createAgentCatalog(configWith([{ name: 'a', tools: ['http_post'] }]), tools, missing);
    expect(catalog.ok ? [] : catalog.error.problems).toEqual([
      'agents.0.tools.0: is not available: http_post needs BERTH_WEBHOOK_ALLOW (tools.webhookAllow); got "http_post"; allowed: fetch_url, send_email',
    ]);
  });

  it('changes an agent version when its tools change', () => {
    const version = (agentTools: string[]) => {
      const catalog = createAgentCatalog(configWith([{ name: 'a', tools: agentTools }]), tools);
      return catalog.ok ? catalog.value.get('a').version : undefined;
    };
    expect(version([])).not.toBe(version(['fetch_url']));
  });
});

import { describe, expect, it } from 'vitest';
import { configSchema } from '../../app/config.js';
import { configVersion } from './config-version.js';

const agents = [{ name: 'default', version: 'abc123' }];
const configWith = (sections: Record<string, unknown> = {}) => configSchema.parse(sections);
const version = (sections?: Record<string, unknown>) => configVersion(agents, configWith(sections));

describe('configVersion', () => {
  it('is stable for the same configuration, whatever the order of lists and keys', () => {
    const one = version({
      tools: { fetchAllow: ['a.test:80', 'b.test:80'] },
      budgets: { agents: { x: { dailyTokens: 5 }, y: { dailyUsd: 1 } } },
    });
    const two = version({
      tools: { fetchAllow: ['b.test:80', 'a.test:80'] },
      budgets: { agents: { y: { dailyUsd: 1 }, x: { dailyTokens: 5 } } },
    });
    expect(one).toMatch(/^[0-9a-f]{12}$/);
    expect(two).toBe(one);
  });

  it('changes with the agents, both allow lists, the SMTP server and sender, the approval rules and the budgets', () => {
    const base = version();
    const changed = [
      configVersion([{ name: 'default', version: 'def456' }], configWith()),
      version({ tools: { fetchAllow: ['a.test:80'] } }),
      version({ tools: { webhookAllow: ['hooks.test:443'] } }),
      version({ tools: { smtp: { url: 'smtp://mail.test:587' } } }),
      version({ tools: { smtp: { url: 'smtp://mail.test:2525' } } }),
      version({ tools: { smtp: { from: 'ops@example.com' } } }),
      version({ approvals: { expiresAfterMs: 60_000 } }),
      version({ approvals: { requireSecondPerson: true } }),
      version({ approvals: { notifyUrl: 'https://notify.test/hook' } }),
      version({ budgets: { tenant: { monthlyUsd: 50 } } }),
      version({ budgets: { agents: { default: { dailyTokens: 1000 } } } }),
      version({ budgets: { costAlertUsd: 40 } }),
    ];
    for (const other of changed) expect(other).not.toBe(base);
    expect(new Set(changed).size).toBe(changed.length);
  });

  it('never depends on the SMTP credentials or a secret in the notify path', () => {
    const plain = version({ tools: { smtp: { url: 'smtp://mail.test:587' } } });
    expect(version({ tools: { smtp: { url: 'smtp://bot:s3cret@mail.test:587' } } })).toBe(plain);
    expect(version({ tools: { smtp: { url: 'smtp://bot:other@mail.test:587' } } })).toBe(plain);
    const hook = version({ approvals: { notifyUrl: 'https://notify.test/services/T1/B1/token-a' } });
    expect(version({ approvals: { notifyUrl: 'https://notify.test/services/T1/B1/token-b' } })).toBe(hook);
  });

  it('ignores what does not decide what an answer may do (the sweep interval)', () => {
    expect(version({ approvals: { sweepIntervalMs: 1_000 } })).toBe(version());
  });
});

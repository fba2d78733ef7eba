import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config.js';

const load = (env: Record<string, string>) => loadConfig({ env, cwd: tmpdir() });

describe('the tools config section', () => {
  it('reads the webhook allow list and the SMTP server from the environment', () => {
    const loaded = load({
      BERTH_WEBHOOK_ALLOW: 'hooks.example:443, 127.0.0.1:4567',
      BERTH_SMTP_URL: 'smtps://berth:pw@mail.example:465',
      BERTH_SMTP_FROM: 'Berth <berth@example.org>',
    });
    expect(loaded.ok && loaded.value.tools).toEqual({
      fetchAllow: [],
      webhookAllow: ['hooks.example:443', '127.0.0.1:4567'],
      smtp: { url: 'smtps://berth:pw@mail.example:465', from: 'Berth <berth@example.org>' },
    });
  });

  it('defaults to no webhooks, no SMTP server and berth@localhost', () => {
    const loaded = load({});
    expect(loaded.ok && loaded.value.tools).toEqual({
      fetchAllow: [],
      webhookAllow: [],
      smtp: { from: 'berth@localhost' },
    });
  });

  it.each([
    'smtp://berth:planted-pw@',
    'http://berth:planted-pw@mail.example',
    'smtp://berth:planted-pw@:25',
    'mail.example:25',
  ])('refuses %s naming the variable, never showing the password', (url) => {
    const loaded = load({ BERTH_SMTP_URL: url });
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.error.message).toContain(
      'BERTH_SMTP_URL (tools.smtp.url): must be an smtp:// or smtps:// URL naming a host',
    );
    expect(loaded.error.message).not.toContain('planted-pw');
    expect(loaded.error.message).not.toContain('http(s)');
  });

  it('refuses a From that is not an address', () => {
    const loaded = load({ BERTH_SMTP_FROM: 'Berth' });
    expect(loaded.ok ? '' : loaded.error.message).toContain('BERTH_SMTP_FROM (tools.smtp.from)');
  });
});

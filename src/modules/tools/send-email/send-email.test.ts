import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { invokeTool } from '../invoke-tool.js';
import { type SmtpReceiver, startSmtpReceiver } from '../testdata/smtp-receiver.js';
import { createSendEmailTool, messageIdFor, type SendEmailOptions } from './send-email.js';

const PASSWORD = 'p@ss:w0rd-planted-secret';
let smtp: SmtpReceiver;
let open: SmtpReceiver;

beforeAll(async () => {
  [smtp, open] = await Promise.all([
    startSmtpReceiver({
      credentials: { user: 'berth', pass: PASSWORD },
      refuse: { 'gone@example.com': 550, 'busy@example.com': 451 },
    }),
    startSmtpReceiver(),
  ]);
});
afterAll(async () => {
  await Promise.all([smtp.close(), open.close()]);
});
beforeEach(() => {
  smtp.mails.length = 0;
  open.mails.length = 0;
});

const smtpUrl = (pass = PASSWORD) => `smtp://berth:${encodeURIComponent(pass)}@127.0.0.1:${smtp.port}`;
const ctx = (idempotencyKey: string) => ({ signal: new AbortController().signal, idempotencyKey });

function sender(options: Partial<SendEmailOptions> = {}) {
  const tool = createSendEmailTool({ url: smtpUrl(), from: 'Berth <berth@example.org>', ...options });
  return (input: Record<string, unknown>, key = 'task-1:mail:hash') => invokeTool(tool, input, ctx(key));
}

const mail = { to: ['alice@example.com'], subject: 'Weekly summary', text: 'Three links, one summary.' };

describe('send_email', () => {
  it('sends the mail with its headers and body through an authenticated SMTP session', async () => {
    const result = await sender()(mail);
    const messageId = `<${createHash('sha256').update('task-1:mail:hash').digest('hex')}@berth>`;
    expect(result).toMatchObject({
      ok: true,
      value: { messageId, accepted: ['alice@example.com'], rejected: [] },
    });
    expect(smtp.mails).toHaveLength(1);
    const [received] = smtp.mails;
    expect(received?.user).toBe('berth');
    expect(received?.from).toBe('berth@example.org');
    expect(received?.to).toEqual(['alice@example.com']);
    expect(received?.headers['message-id']).toBe(messageId);
    expect(received?.headers.subject).toBe('Weekly summary');
    expect(received?.headers.from).toBe('Berth <berth@example.org>');
    expect(received?.headers.to).toBe('alice@example.com');
    expect(received?.body.trim()).toBe('Three links, one summary.');
  });

  it('gives two sends with the same key the same Message-ID, and another key another', async () => {
    const send = sender();
    await send(mail, 'task-7:notify:abc');
    await send(mail, 'task-7:notify:abc');
    await send(mail, 'task-7:notify:def');
    const ids = smtp.mails.map((received) => received.headers['message-id']);
    expect(ids[0]).toBe(messageIdFor('task-7:notify:abc'));
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).toBe(messageIdFor('task-7:notify:def'));
    expect(ids[2]).not.toBe(ids[0]);
  });

  it('sends to several recipients and lists the ones the server refused', async () => {
    const result = await sender()({ ...mail, to: ['alice@example.com', 'gone@example.com'] });
    expect(result).toMatchObject({
      ok: true,
      value: { accepted: ['alice@example.com'], rejected: ['gone@example.com'] },
    });
    expect(smtp.mails[0]?.to).toEqual(['alice@example.com']);
  });

  it('fails permanently on a 5xx refusal and retryably on a 4xx one', async () => {
    const gone = await sender()({ ...mail, to: ['gone@example.com'] });
    expect(gone).toMatchObject({ ok: false, error: { code: 'smtp_rejected', retryable: false } });
    const busy = await sender()({ ...mail, to: ['busy@example.com'] });
    expect(busy).toMatchObject({ ok: false, error: { code: 'smtp_failed', retryable: true } });
    expect(smtp.mails).toEqual([]);
  });

  it('reports wrong credentials without repeating them', async () => {
    const wrong = 'wrong-planted-password';
    const result = await sender({ url: smtpUrl(wrong) })(mail);
    expect(result).toMatchObject({ ok: false, error: { code: 'smtp_auth_failed', retryable: false } });
    expect(JSON.stringify(result)).not.toContain(wrong);
    expect(JSON.stringify(result)).not.toContain(encodeURIComponent(wrong));
    expect(smtp.logins.at(-1)).toEqual({ user: 'berth', ok: false });
  });

  it('sends without credentials to a server that needs none', async () => {
    const result = await sender({ url: `smtp://127.0.0.1:${open.port}` })(mail);
    expect(result.ok).toBe(true);
    expect(open.mails).toHaveLength(1);
  });

  it('fails retryably when the server is not there', async () => {
    const gone = await startSmtpReceiver();
    await gone.close();
    const result = await sender({ url: `smtp://127.0.0.1:${gone.port}` })(mail);
    expect(result).toMatchObject({ ok: false, error: { code: 'smtp_failed', retryable: true } });
  });

  it.each([
    ['a bad address', { to: ['not-an-address'] }, 'to.0'],
    ['no recipient', { to: [] }, 'to'],
    ['too many recipients', { to: Array.from({ length: 11 }, (_, i) => `r${i}@example.com`) }, 'to'],
    ['a header injection in the address', { to: ['a@example.com\r\nBcc: x@evil.example'] }, 'to.0'],
    ['a header injection in the subject', { subject: 'Hi\r\nBcc: x@evil.example' }, 'subject'],
    ['an empty body', { text: '' }, 'text'],
  ])('refuses %s before connecting', async (_name, change, path) => {
    const before = smtp.logins.length;
    const result = await sender()({ ...mail, ...change });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_tool_input' } });
    if (!result.ok) {
      const issues = (result.error.details as { issues: Array<{ path: string }> }).issues;
      expect(issues.map((issue) => issue.path)).toContain(path);
    }
    expect(smtp.mails).toEqual([]);
    expect(smtp.logins.length).toBe(before);
  });

  it('declares side effects', () => {
    expect(createSendEmailTool({ url: smtpUrl(), from: 'b@example.org' }).sideEffects).toBe(true);
  });
});

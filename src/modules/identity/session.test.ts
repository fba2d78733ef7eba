import { describe, expect, it } from 'vitest';
import { type CookieWrite, checkCsrf, createSessionCookies } from './session.js';

const cookies = createSessionCookies({ secret: 's'.repeat(32), ttlMs: 3_600_000, secure: true });
const jarOf = (writes: CookieWrite[]) => Object.fromEntries(writes.map((c) => [c.name, c.value]));
const identity = { userId: 'alice@acme.test', tenantId: 'acme', role: 'member' as const };

describe('session cookies', () => {
  it('round-trips a session, Strict and HttpOnly, with a readable CSRF cookie', async () => {
    const writes = await cookies.start(identity);
    const [session, csrf] = writes;
    expect(session?.options).toMatchObject({
      httpOnly: true,
      sameSite: 'strict',
      secure: true,
      maxAge: 3600,
    });
    expect(csrf?.options).toMatchObject({ httpOnly: false, sameSite: 'strict' });
    expect(session?.value).not.toContain('alice');
    expect(await cookies.read(jarOf(writes))).toEqual({ ...identity, csrf: csrf?.value });
  });

  it('calls a tampered, foreign-secret or sign-in cookie invalid', async () => {
    const writes = await cookies.start(identity);
    const value = writes[0]?.value ?? '';
    const tampered = `${value.slice(0, -4)}AAAA`;
    expect(await cookies.read({ berth_session: tampered })).toBe('invalid');
    const other = createSessionCookies({ secret: 'o'.repeat(32), ttlMs: 3_600_000, secure: false });
    expect(await other.read({ berth_session: value })).toBe('invalid');
    const flow = await cookies.signIn({ state: 's', nonce: 'n', codeVerifier: 'v', returnTo: '/chat' });
    expect(await cookies.read({ berth_session: flow.value })).toBe('invalid');
    expect(await cookies.readSignIn({ berth_sign_in: flow.value })).toMatchObject({
      state: 's',
      returnTo: '/chat',
    });
    expect(await cookies.read({})).toBeUndefined();
  });

  it('wants the CSRF token on unsafe methods only', async () => {
    const session = await cookies.read(jarOf(await cookies.start(identity)));
    if (!session || session === 'invalid') throw new Error('no session');
    expect(() => checkCsrf('GET', undefined, session)).not.toThrow();
    expect(() => checkCsrf('POST', session.csrf, session)).not.toThrow();
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(() => checkCsrf(method, undefined, session)).toThrow(/CSRF token/);
      expect(() => checkCsrf(method, `${session.csrf}x`, session)).toThrow(/CSRF token/);
    }
  });
});

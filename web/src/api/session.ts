import { request } from './client';
import type { Reply } from './types';

export type AuthConfig = Reply<'/auth/config', 'get', 200>;
export type Me = Reply<'/api/me', 'get', 200>;

/** Set by the server, for a minute, when it sends a browser back after a failed sign-in. */
const SIGN_IN_ERROR = 'berth_sign_in_error';

/** Whether sign-in with an identity provider is on; asked before anyone is signed in (the route is public). */
export async function loadAuthConfig(): Promise<AuthConfig> {
  try {
    const response = await fetch('/auth/config');
    return response.ok ? ((await response.json()) as AuthConfig) : { oidc: false };
  } catch {
    return { oidc: false };
  }
}

/** Why the last sign-in failed, if it just did. */
export function signInError(): string | null {
  const entry = document.cookie
    .split(';')
    .map((cookie) => cookie.trim())
    .find((cookie) => cookie.startsWith(`${SIGN_IN_ERROR}=`));
  return entry ? decodeURIComponent(entry.slice(SIGN_IN_ERROR.length + 1)) : null;
}

/** Shown once: a reload does not bring it back. */
export function forgetSignInError(): void {
  // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is missing from older Firefox and Safari releases
  document.cookie = `${SIGN_IN_ERROR}=; Max-Age=0; Path=/`;
}

/** Where the sign-in button goes: the provider, then back to this page. */
export function signInHref(config: AuthConfig): string {
  const back = `${window.location.pathname}${window.location.search}`;
  return `${config.sign_in_url ?? '/auth/login'}?return_to=${encodeURIComponent(back)}`;
}

export async function signOut(): Promise<void> {
  await request('/auth/logout', { method: 'POST' });
}

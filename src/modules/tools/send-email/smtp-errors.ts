/** What nodemailer's errors carry: its own code (ECONNECTION, EAUTH, EENVELOPE…) and the SMTP reply. */
export interface SmtpFailure {
  message?: string;
  code?: string;
  responseCode?: number;
  command?: string;
}

export interface DescribedFailure {
  code: 'smtp_auth_failed' | 'smtp_rejected' | 'smtp_failed';
  message: string;
  retryable: boolean;
  details: { smtpCode?: string; responseCode?: number };
}

// Network trouble and the server's own "try again later" (4xx) may pass; a 5xx reply will not.
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'EPROTOCOL']);

/** Replaces every credential that could echo back in a server reply or a connection error. */
export function scrub(text: string, secrets: readonly string[]): string {
  return secrets
    .filter((secret) => secret.length >= 3)
    .reduce((scrubbed, secret) => scrubbed.split(secret).join('****'), text);
}

/** A nodemailer failure as a tool error: whether a retry could help, and never a credential in it. */
export function smtpFailure(error: SmtpFailure, secrets: readonly string[]): DescribedFailure {
  const message = scrub(String(error?.message ?? error), secrets);
  const details = {
    ...(error?.code ? { smtpCode: error.code } : {}),
    ...(error?.responseCode ? { responseCode: error.responseCode } : {}),
  };
  if (error?.code === 'EAUTH') {
    return {
      code: 'smtp_auth_failed',
      message: `the SMTP server refused Berth's credentials (check BERTH_SMTP_URL): ${message}`,
      retryable: false,
      details,
    };
  }
  const reply = error?.responseCode ?? 0;
  if (reply >= 500) {
    return {
      code: 'smtp_rejected',
      message: `the SMTP server rejected the mail: ${message}`,
      retryable: false,
      details,
    };
  }
  const transient = (reply >= 400 && reply < 500) || TRANSIENT_CODES.has(error?.code ?? '');
  return {
    code: 'smtp_failed',
    message: `sending the mail failed: ${message}`,
    retryable: transient,
    details,
  };
}

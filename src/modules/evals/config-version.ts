import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** What of the configuration, beyond the agents, decides what an answer may do. */
export interface VersionedConfig {
  tools: {
    fetchAllow: readonly string[];
    webhookAllow: readonly string[];
    smtp: { url?: string; from: string };
  };
  approvals: { expiresAfterMs: number; requireSecondPerson: boolean; notifyUrl?: string };
  budgets: unknown;
}

/** The SMTP server as host:port, never the credentials the URL carries. */
function smtpServer(url: string | undefined): string | null {
  if (!url || !URL.canParse(url)) return null;
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
}

/** The notify URL's origin only: chat webhooks carry their token in the path, and a version is public. */
const notifyTarget = (url: string | undefined): string | null =>
  url && URL.canParse(url) ? new URL(url).origin : null;

/**
 * The version of the configuration that shapes answers: every agent's version (model, prompt, tools,
 * budgets, provider URL), the hosts fetch_url and http_post may reach, the SMTP server send_email
 * uses (host and port only), the approval rules and the budgets. Stored with each eval run and on
 * every audit row, so a pass rate or an action belongs to the configuration that produced it.
 */
export function configVersion(
  agents: ReadonlyArray<{ name: string; version: string }>,
  config: VersionedConfig,
): string {
  const { tools, approvals } = config;
  const parts = {
    agents: agents.map((a) => `${a.name}@${a.version}`).sort(),
    fetchAllow: [...tools.fetchAllow].sort(),
    webhookAllow: [...tools.webhookAllow].sort(),
    smtp: { server: smtpServer(tools.smtp.url), from: tools.smtp.from },
    approvals: {
      expiresAfterMs: approvals.expiresAfterMs,
      requireSecondPerson: approvals.requireSecondPerson,
      notify: notifyTarget(approvals.notifyUrl),
    },
    budgets: config.budgets,
  };
  // Canonical JSON: the budgets' record keys in any order give one version.
  return createHash('sha256')
    .update(canonicalize(parts) ?? '')
    .digest('hex')
    .slice(0, 12);
}

import { createHash } from 'node:crypto';

/**
 * The version of the configuration that shapes answers: every agent's version (model, prompt, tools,
 * budgets, provider URL) and the hosts fetch_url may reach. Stored with each eval run, so a pass rate
 * belongs to the configuration that earned it.
 */
export function configVersion(
  agents: ReadonlyArray<{ name: string; version: string }>,
  tools: { fetchAllow: readonly string[] },
): string {
  const parts = {
    agents: agents.map((a) => `${a.name}@${a.version}`).sort(),
    fetchAllow: [...tools.fetchAllow].sort(),
  };
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 12);
}

import { defaultPgliteTemplate } from '../app.js';
import {
  createIdentityRepository,
  createIdentityService,
  createKeyIndex,
  systemActor,
} from '../modules/identity/index.js';
import type { Config } from '../platform/config/index.js';
import { DEFAULT_TENANT, openStore } from '../platform/db/index.js';

const usage = 'usage: berth keys create <name> | berth keys list | berth keys revoke <id-or-prefix>';

/** `berth keys …`: manages the API keys kept (hashed) in the store. */
export async function runKeysCommand(
  config: Config,
  args: string[],
  out: (line: string) => void,
): Promise<number> {
  const [action, argument] = args;
  if (!action || !['create', 'list', 'revoke'].includes(action) || (action !== 'list' && !argument)) {
    out(
      action && !['create', 'list', 'revoke'].includes(action)
        ? `unknown keys action "${action}"\n${usage}`
        : usage,
    );
    return 2;
  }
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    pgliteTemplatePath: defaultPgliteTemplate,
  });
  try {
    await store.migrate();
    const repo = createIdentityRepository(store.db);
    const identity = createIdentityService({ repo, keys: createKeyIndex(repo) });
    const actor = systemActor();
    if (action === 'create') {
      const { key, record } = await identity.createKey(actor, {
        tenantId: DEFAULT_TENANT,
        name: argument as string,
        role: 'owner',
        userId: 'local',
      });
      out(`Created key "${record.name}" (id ${record.id}).`);
      out(`  ${key}`);
      out('Store it now: it is not shown again. Use it as "Authorization: Bearer <key>".');
    } else if (action === 'list') {
      const keys = await identity.listKeys(actor, DEFAULT_TENANT);
      if (keys.length === 0) out('No keys in the store.');
      for (const k of keys) {
        out(
          `${k.id}  ${k.prefix}  ${k.name}  created ${k.createdAt.toISOString()}${k.revokedAt ? `  REVOKED ${k.revokedAt.toISOString()}` : ''}`,
        );
      }
    } else {
      const k = await identity.revokeKey(actor, DEFAULT_TENANT, argument as string);
      out(`Revoked key "${k.name}" (id ${k.id}); running servers refuse it within 5 s.`);
    }
    return 0;
  } finally {
    await store.close();
  }
}

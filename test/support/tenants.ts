import type { Role } from '../../src/modules/identity/index.js';
import { systemActor } from '../../src/modules/identity/index.js';
import type { BerthInstance } from './berth-instance.js';

export interface SeededKey {
  key: string;
  id: string;
  tenant: string;
  user: string;
  role: Role;
}

/** Creates the tenant (if new), the member and a key acting as it, through the app's own identity service. */
export async function seedMember(
  berth: BerthInstance,
  tenant: string,
  user: string,
  role: Role,
): Promise<SeededKey> {
  const system = systemActor();
  const identity = berth.app.identity;
  if (!(await identity.listTenants(system)).some((t) => t.id === tenant)) {
    await identity.createTenant(system, { id: tenant });
  }
  await identity.addUser(system, { tenantId: tenant, userId: user, role });
  const { key, record } = await identity.createKey(system, {
    tenantId: tenant,
    name: `${user} key`,
    userId: user,
  });
  return { key, id: record.id, tenant, user, role };
}

export const bearer = (seeded: { key: string }) => ({ authorization: `Bearer ${seeded.key}` });

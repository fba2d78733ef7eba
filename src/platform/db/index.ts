export { createdAt } from './columns.js';
export {
  DataDirLockedError,
  isForeign,
  type LockHolder,
  lockPath,
  readDataDirLock,
} from './data-dir-lock.js';
export { createGroupCommit } from './group-commit.js';
export { migrationsFolder } from './migrations.js';
export { openStore } from './open-store.js';
export { createPgNotifier, type Notifier } from './pg-notifier.js';
export { openPgliteStore } from './pglite-store.js';
export { ensurePgliteTemplate } from './pglite-template.js';
export { openPostgresStore } from './postgres-store.js';
export { type Db, type DbOrTx, jsonRows, queryRows, type Store, type Tx, uuidArray } from './store.js';
export { isStoreUnavailable } from './store-errors.js';

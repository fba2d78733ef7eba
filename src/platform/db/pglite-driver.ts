/**
 * PGlite and its drizzle driver, loaded by the processes that open an embedded store only: `berth api`
 * and `berth worker` on Postgres never evaluate PGlite's modules (in the bundle, a chunk of its own).
 */
export const loadPglite = async () => {
  const [{ PGlite }, { drizzle }, { migrate }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
    import('drizzle-orm/pglite/migrator'),
  ]);
  return { PGlite, drizzle, migrate };
};

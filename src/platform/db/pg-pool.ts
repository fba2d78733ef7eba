import pg from 'pg';

/**
 * A pg pool whose clients can lose their server without ending the process. A client that loses
 * its server emits 'error', and an 'error' with no listener kills the process. The pool listens only
 * to idle clients, so every client also gets its own listener for the moments it is checked out
 * between queries (a transaction whose BEGIN just failed, before its release): the query in flight
 * has already been rejected, and the pool drops the broken client when it comes back.
 */
export function createPgPool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config);
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

// A pooled client that loses its server while checked out (a PostgreSQL restart between two
// queries of a transaction) must fail its next query, not crash the process with an unhandled
// 'error' event; the pool then serves healthy clients.
import { expect } from 'chai';
import { withClient } from '../../../src/shared/db.ts';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';

describe('a checked-out client losing its server', () => {
  let env: TestEnv;
  before(async () => { env = await createTestEnv('poolloss', { migrate: false }); });
  after(async () => { await env.cleanup(); });

  it('fails its next query and leaves the pool usable', async () => {
    let failed: Error | undefined;
    await withClient(env.pool, async (c) => {
      const { rows } = await c.query('SELECT pg_backend_pid() AS pid');
      // another connection ends this one, as a server restart does ("terminating connection
      // due to administrator command" arrives while no query runs on it)
      const ended = new Promise((r) => c.once('end', r));
      await env.pool.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
      await ended; // the client saw its connection close
      await c.query('SELECT 1').catch((err) => (failed = err));
    });
    expect(failed?.message).to.match(/terminat|not queryable|Connection/i);
    for (let i = 0; i < 3; i++) expect((await env.pool.query('SELECT 1 AS one')).rows[0].one).to.equal(1);
  });
});

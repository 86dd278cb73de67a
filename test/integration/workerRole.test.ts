import { expect } from 'chai';
import pg from 'pg';
import { createTestEnv, type TestEnv } from '../support/testEnv.ts';

export function workerRoleUrl(url: string): string {
  const u = new URL(url);
  u.username = 'matchflow_worker';
  u.password = '';
  return u.toString();
}

describe('least-privileged worker role', () => {
  let t: TestEnv;
  let c: pg.Client;
  before(async () => {
    t = await createTestEnv('role');
    c = new pg.Client({ connectionString: workerRoleUrl(t.cfg.databaseUrl), options: `-c search_path=${t.schema}` });
    await c.connect();
  });
  after(async () => {
    await c.end();
    await t.cleanup();
  });

  it('is not a superuser and cannot create databases or roles', async () => {
    const { rows } = await c.query("SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = 'matchflow_worker'");
    expect(rows[0]).to.deep.equal({ rolsuper: false, rolcreatedb: false, rolcreaterole: false });
  });

  it('reads and writes rows, and uses temp tables', async () => {
    await c.query("INSERT INTO domains (name) VALUES ('role-test')");
    const { rows } = await c.query("SELECT count(*)::int AS n FROM domains WHERE name = 'role-test'");
    expect(rows[0].n).to.equal(1);
    await c.query('CREATE TEMP TABLE scratch (x int)');
    await c.query('DROP TABLE scratch');
  });

  it('cannot change the schema', async () => {
    for (const ddl of ['CREATE TABLE evil (x int)', 'DROP TABLE nodes', 'ALTER TABLE nodes ADD COLUMN evil int',
      'CREATE INDEX evil ON nodes (type)', 'SELECT * FROM schema_migrations']) {
      let err: Error | undefined;
      await c.query(ddl).catch((e) => (err = e));
      expect(err?.message, ddl).to.match(/permission denied|must be owner/);
    }
  });
});

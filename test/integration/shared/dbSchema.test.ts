// DB_SCHEMA names the one schema a process reads and writes: quoted (an upper-case name is not
// folded into another), with no `public` behind it (an unmigrated schema must not fall through to
// another deployment's tables), and commands refuse a schema that `matchflow migrate` has not
// brought up to date.
import { expect } from 'chai';
import { runCli } from '../../support/runCli.ts';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';
import { provisionWorkerRole } from '../../support/workerRole.ts';

describe('DB_SCHEMA', function () {
  this.timeout(60_000);
  let t: TestEnv;
  afterEach(async () => { await t?.cleanup(); });

  it('an upper-case schema is used as written, and alone: public is not searched', async () => {
    t = await createTestEnv('TenantA');
    expect(t.schema).to.match(/[A-Z]/);
    const { rows: [path] } = await t.pool.query<{ search_path: string }>('SHOW search_path');
    expect(path.search_path).to.equal(`"${t.schema}"`);
    const { rows: [here] } = await t.pool.query<{ s: string }>('SELECT current_schema() AS s');
    expect(here.s).to.equal(t.schema);
    // the migrated tables are found, through the quoted name
    const { rows: [n] } = await t.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM matching_algorithms');
    expect(n.n).to.be.greaterThan(0);
    const r = await runCli(['import', '/nonexistent.csv', '--domain', 'd', '--group', 'g'], { ...t.env, IMPORT_ROOT: '/tmp' });
    expect(r.stderr).to.not.match(/not migrated/);
  });

  it('a command against a schema that was never migrated: one line, exit 1; config and migrate still run', async () => {
    t = await createTestEnv('nomig', { migrate: false });
    const commands = [
      ['worker'], ['import', 'x.csv', '--domain', 'd', '--group', 'g'], ['run', 'perfect', '--group', 'g'], ['nodes', 'remove', '--group', 'g', 'a'],
    ];
    for (const args of commands) {
      const r = await runCli(args, t.env);
      expect(r.status, `${args[0]}: ${r.stderr}`).to.equal(1);
      expect(r.stderr).to.equal(`matchflow ${args[0]}: schema "${t.schema}" (DB_SCHEMA) is not migrated: `
        + 'run `matchflow migrate` with the same DB_SCHEMA first\n');
    }
    const { rows } = await t.pool.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [t.schema]);
    expect(rows, 'nothing created the schema').to.deep.equal([]);
    expect((await runCli(['config'], t.env)).status).to.equal(0);
    const migrated = await runCli(['migrate'], t.env);
    expect(migrated.status, migrated.stderr).to.equal(0);
    expect(migrated.stdout).to.match(new RegExp(`^schema ${t.schema}: applied \\d+`));
  });

  it('the least-privileged worker role, which may not read schema_migrations, passes on a migrated schema only', async () => {
    t = await createTestEnv('rolemig');
    const role = await provisionWorkerRole(t.pool, t.schema, t.cfg.databaseUrl);
    try {
      const migrated = await runCli(['run', 'potential', '--group', 'nope'], { ...t.env, DATABASE_URL: role.url });
      expect(migrated.status, migrated.stderr).to.equal(2);
      expect(migrated.stderr).to.match(/^matchflow run: no group 'nope'/);
      const missing = await runCli(['run', 'potential', '--group', 'nope'], { ...t.env, DATABASE_URL: role.url, DB_SCHEMA: `${t.schema}_missing` });
      expect(missing.status).to.equal(1);
      expect(missing.stderr).to.match(/is not migrated: run `matchflow migrate`/);
    } finally {
      await role.drop();
    }
  });

  it('a schema that lacks this version\'s newest migration: refused, naming what it lacks', async () => {
    t = await createTestEnv('oldmig');
    const { rows: [last] } = await t.pool.query<{ version: string }>('SELECT max(version) AS version FROM schema_migrations');
    await t.pool.query('DELETE FROM schema_migrations WHERE version = $1', [last.version]);
    const r = await runCli(['run', 'potential', '--group', 'g'], t.env);
    expect(r.status).to.equal(1);
    expect(r.stderr).to.equal(`matchflow run: schema "${t.schema}" (DB_SCHEMA) lacks 1 migration(s) of this version (${last.version}): `
      + 'run `matchflow migrate` first\n');
  });
});

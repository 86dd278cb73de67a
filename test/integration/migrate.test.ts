import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTestEnv, type TestEnv } from '../support/testEnv.ts';
import { migrate, readMigrations } from '../../src/shared/migrate.ts';

const CLI = fileURLToPath(new URL('../../bin/matchflow.js', import.meta.url));

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('migrate', () => {
  let t: TestEnv;
  beforeEach(async () => { t = await createTestEnv('mig', { migrate: false }); });
  afterEach(async () => { await t.cleanup(); });

  it('creates every table of the architecture and records the versions', async () => {
    const first = await migrate(t.pool, t.schema);
    expect(first.applied.length).to.equal((await readMigrations()).length);
    const { rows } = await t.pool.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [t.schema]);
    const tables = rows.map((r) => r.table_name);
    for (const name of ['domains', 'matching_groups', 'matching_configuration', 'nodes', 'nodes_import_job',
      'nodes_cursor', 'potential_matches', 'last_run_potential_matches', 'match_participation_history',
      'perfect_matches', 'last_run_perfect_matches']) expect(tables).to.include(name);
    const { rows: cols } = await t.pool.query(
      "SELECT data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'nodes' AND column_name = 'metadata'", [t.schema]);
    expect(cols[0].data_type).to.equal('jsonb');
  });

  it('is a no-op the second time', async () => {
    await migrate(t.pool, t.schema);
    const again = await migrate(t.pool, t.schema);
    expect(again.applied).to.deep.equal([]);
  });

  it('two concurrent `matchflow migrate` processes leave one schema', async () => {
    const [a, b] = await Promise.all([runCli(['migrate'], t.env), runCli(['migrate'], t.env)]);
    expect(a.code, a.out).to.equal(0);
    expect(b.code, b.out).to.equal(0);
    const { rows } = await t.pool.query(`SELECT count(*)::int AS n FROM ${t.schema}.schema_migrations`);
    expect(rows[0].n).to.equal((await readMigrations()).length);
    const { rows: algos } = await t.pool.query(`SELECT count(*)::int AS n FROM ${t.schema}.matching_algorithms`);
    expect(algos[0].n).to.equal(8);
  });
});

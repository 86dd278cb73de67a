// The database roles `matchflow migrate` makes (src/shared/dbRoles.ts), on a PostgreSQL of the
// test's own that asks for passwords (SCRAM-SHA-256): each role connects and shows what it may and
// may not do, and the whole pipeline (import, a full and an incremental potential cycle, a perfect
// run, the API removing a node) runs as the worker role, the dashboard as the dashboard role.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startDashboard } from '../../dashboard/server.ts';
import { CREATE_STAGING_SQL } from '../../src/import/nodeMerge.ts';
import { loadConfig, type Config } from '../../src/shared/config.ts';
import { createPool, type Pool } from '../../src/shared/db.ts';
import { applyRoles, dbRoles, scramVerifier, WORKER_PRIVILEGES } from '../../src/shared/dbRoles.ts';
import { migrate } from '../../src/shared/migrate.ts';
import { peopleCsv } from '../../src/synthetic/peopleCsv.ts';
import { syntheticPeople } from '../../src/synthetic/people.ts';
import { startPrivatePostgres, type PrivatePostgres } from '../support/chaos/privatePostgres.ts';
import { CLI, runCli } from '../support/runCli.ts';
import { deleteRedisPrefix, uniqueName } from '../support/testEnv.ts';
import { until } from '../support/waitFor.ts';

const OWNER_PASSWORD = 'owner-secret';
const PASSWORDS = { worker: 'worker-secret', dashboard: 'dashboard-secret' };

function urlAs(base: string, user: string, password?: string): string {
  const u = new URL(base);
  u.username = user;
  u.password = password ?? '';
  return u.toString();
}

async function connect(url: string, schema: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

async function refusal(c: pg.Client, sql: string): Promise<string> {
  try {
    await c.query(sql);
    return '(allowed)';
  } catch (err) {
    return (err as Error).message;
  }
}

describe('database roles', function () {
  this.timeout(240_000);
  let server: PrivatePostgres;
  let owner: Pool;
  let cfg: Config;
  const schema = 'tenant_a';

  before(async () => {
    server = await startPrivatePostgres({ superuserPassword: OWNER_PASSWORD });
    cfg = loadConfig({
      ...process.env, DATABASE_URL: server.url, DB_SCHEMA: schema, QUEUE_PREFIX: `mft-${uniqueName('roles')}`, LOG_LEVEL: 'silent',
      DB_WORKER_PASSWORD: PASSWORDS.worker, DB_DASHBOARD_PASSWORD: PASSWORDS.dashboard,
    });
    owner = createPool(cfg, { max: 2 });
    // a deployment from before: the cluster-wide role of migration 050
    await owner.query('CREATE ROLE matchflow_worker LOGIN');
    await migrate(owner, schema);
    expect(await applyRoles(owner, schema, dbRoles(cfg))).to.deep.equal({ applied: ['tenant_a_worker', 'tenant_a_dashboard'], skipped: [] });
    // a second schema with roles of its own
    const other = loadConfig({ ...process.env, DATABASE_URL: server.url, DB_SCHEMA: 'tenant_b', DB_WORKER_PASSWORD: 'b-secret' });
    await migrate(owner, 'tenant_b');
    await applyRoles(owner, 'tenant_b', dbRoles(other));
  });
  after(async () => {
    await owner?.end();
    await server?.stop();
    if (cfg) await deleteRedisPrefix(cfg.queuePrefix, cfg);
  });

  it('each role logs in with its own password only, and is neither superuser nor able to create roles or databases', async () => {
    for (const [role, password] of [['tenant_a_worker', PASSWORDS.worker], ['tenant_a_dashboard', PASSWORDS.dashboard]]) {
      const c = await connect(urlAs(server.url, role, password), schema);
      await c.end();
      for (const wrong of ['', 'wrong', PASSWORDS.worker === password ? PASSWORDS.dashboard : PASSWORDS.worker]) {
        let err: Error | undefined;
        await connect(urlAs(server.url, role, wrong), schema).then((x) => x.end(), (e) => { err = e; });
        expect(err?.message, `${role} with '${wrong}'`).to.match(/password authentication failed|password/);
      }
    }
    const { rows } = await owner.query(
      `SELECT rolname, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolpassword LIKE 'SCRAM-SHA-256$%' AS scram
       FROM pg_authid WHERE rolname LIKE 'tenant_a_%' ORDER BY rolname`);
    expect(rows).to.deep.equal(['tenant_a_dashboard', 'tenant_a_worker'].map((rolname) => ({
      rolname, rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolreplication: false, rolbypassrls: false, scram: true,
    })));
  });

  it('the worker role reads and writes rows, and creates and truncates its own import staging', async () => {
    const c = await connect(urlAs(server.url, 'tenant_a_worker', PASSWORDS.worker), schema);
    try {
      await c.query("INSERT INTO domains (name) VALUES ('role-test')");
      expect((await c.query("SELECT count(*)::int AS n FROM domains WHERE name = 'role-test'")).rows[0].n).to.equal(1);
      await c.query('BEGIN');
      await c.query(CREATE_STAGING_SQL);
      await c.query('TRUNCATE import_staging');
      await c.query('ROLLBACK');
      expect((await c.query('SELECT count(*)::int AS n FROM matching_algorithms')).rows[0].n).to.equal(8);
    } finally {
      await c.end();
    }
  });

  it('the worker role cannot change the schema, truncate a table, touch the migrations or the algorithms, or reach another schema', async () => {
    const c = await connect(urlAs(server.url, 'tenant_a_worker', PASSWORDS.worker), schema);
    try {
      for (const sql of ['CREATE TABLE evil (x int)', 'DROP TABLE nodes', 'ALTER TABLE nodes ADD COLUMN evil int', 'CREATE INDEX evil ON nodes (type)',
        'TRUNCATE nodes', 'TRUNCATE potential_matches', 'TRUNCATE potential_cycle_pages', 'SELECT * FROM schema_migrations',
        "INSERT INTO matching_algorithms (id, name, strategy_class) VALUES ('x', 'x', 'x')", 'DELETE FROM matching_algorithms',
        'DELETE FROM domains', 'UPDATE potential_matches SET compatibility_score = 1', 'DELETE FROM match_participation_history',
        'SELECT * FROM tenant_b.nodes', 'CREATE ROLE evil', 'CREATE SCHEMA evil']) {
        expect(await refusal(c, sql), sql).to.match(/permission denied|must be owner/);
      }
    } finally {
      await c.end();
    }
  });

  it('the dashboard role reads what the ops page shows, and nothing else, and writes nothing', async () => {
    const c = await connect(urlAs(server.url, 'tenant_a_dashboard', PASSWORDS.dashboard), schema);
    try {
      for (const table of ['domains', 'matching_groups', 'last_run_potential_matches', 'last_run_perfect_matches', 'potential_matches']) {
        await c.query(`SELECT count(*) FROM ${table}`);
      }
      for (const sql of ['SELECT * FROM nodes', 'SELECT * FROM nodes_import_job', "INSERT INTO domains (name) VALUES ('x')", 'DELETE FROM domains',
        "UPDATE domains SET name = 'x'", 'TRUNCATE domains', 'CREATE TABLE evil (x int)', 'SELECT * FROM tenant_b.domains']) {
        expect(await refusal(c, sql), sql).to.match(/permission denied|must be owner/);
      }
    } finally {
      await c.end();
    }
  });

  it('the cluster-wide matchflow_worker of migration 050 keeps nothing on a migrated schema', async () => {
    const { rows } = await owner.query(
      `SELECT has_schema_privilege('matchflow_worker', $1, 'USAGE') AS usage,
              has_table_privilege('matchflow_worker', $1 || '.nodes', 'SELECT') AS nodes,
              has_table_privilege('matchflow_worker', $1 || '.nodes', 'TRUNCATE') AS truncate`, [schema]);
    expect(rows[0]).to.deep.equal({ usage: false, nodes: false, truncate: false });
  });

  it('a role whose password setting is empty is not created; a table nobody listed fails the grants; the owner is refused as a role', async () => {
    const none = loadConfig({ DB_SCHEMA: 'tenant_c' });
    await migrate(owner, 'tenant_c');
    expect(await applyRoles(owner, 'tenant_c', dbRoles(none))).to.deep.equal({ applied: [], skipped: ['tenant_c_worker', 'tenant_c_dashboard'] });
    expect((await owner.query("SELECT count(*)::int AS n FROM pg_roles WHERE rolname LIKE 'tenant_c_%'")).rows[0].n).to.equal(0);
    await owner.query('CREATE TABLE tenant_c.unlisted (x int)');
    let err: Error | undefined;
    await applyRoles(owner, 'tenant_c', dbRoles(loadConfig({ DB_SCHEMA: 'tenant_c', DB_WORKER_PASSWORD: 'x' }))).catch((e) => { err = e; });
    expect(err?.message).to.match(/table unlisted of schema tenant_c has no privileges/);
    await owner.query('DROP TABLE tenant_c.unlisted');
    let ownerErr: Error | undefined;
    await applyRoles(owner, 'tenant_c', dbRoles(loadConfig({ DB_SCHEMA: 'tenant_c', DB_WORKER_ROLE: 'postgres', DB_WORKER_PASSWORD: 'x' })))
      .catch((e) => { ownerErr = e; });
    expect(ownerErr?.message).to.match(/schema owner or a superuser/);
    expect(Object.keys(WORKER_PRIVILEGES)).not.to.include('schema_migrations');
  });

  it('a SCRAM verifier made here is one PostgreSQL accepts for the password (non-ASCII too)', async () => {
    await owner.query(`CREATE ROLE scram_probe LOGIN PASSWORD '${scramVerifier('pässwörd ①')}'`);
    const c = await connect(urlAs(server.url, 'scram_probe', encodeURIComponent('pässwörd ①')), 'public');
    await c.end();
  });

  it('the pipeline runs as the worker role and the dashboard as the dashboard role', async () => {
    const root = await mkdtemp(join(tmpdir(), 'mf-roles-'));
    const people = [...syntheticPeople({ count: 300, seed: 5, prefix: 'r' })];
    await writeFile(join(root, 'first.csv'), [...peopleCsv(people.slice(0, 200))].join(''));
    await writeFile(join(root, 'second.csv'), [...peopleCsv(people.slice(200))].join(''));
    const workerEnv = {
      ...process.env, DATABASE_URL: urlAs(server.url, 'tenant_a_worker', PASSWORDS.worker), DB_SCHEMA: schema, QUEUE_PREFIX: cfg.queuePrefix,
      IMPORT_ROOT: root, METRICS_PORT: '0', API_PORT: '0', LOG_LEVEL: 'warn', NO_COLOR: '1', MATCHING_TOPK_COUNT: '10', API_TOKENS: 'role-token',
      // nothing but the worker role's URL: not the owner's password, not the dashboard's
      DB_WORKER_PASSWORD: '', DB_DASHBOARD_PASSWORD: '',
    };
    const kills: Array<() => Promise<void>> = [];
    const serve = (args: string[], env: NodeJS.ProcessEnv = {}) => {
      const child = spawn('timeout', ['200', process.execPath, CLI, ...args], { env: { ...workerEnv, ...env } });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      const exited = new Promise<void>((r) => child.on('exit', () => r()));
      kills.push(async () => {
        child.kill('SIGTERM');
        await exited;
      });
      return { err: () => err };
    };
    try {
      const worker = serve(['worker', '--queues', 'import,potential,perfect']);
      const producer = serve(['producer', '--no-scheduler'], { LOG_LEVEL: 'info' });
      const cli = async (args: string[]) => {
        const r = await runCli(args, workerEnv, 120_000);
        expect(r.status, `matchflow ${args.join(' ')}: ${r.stderr}\nworker: ${worker.err().slice(-3000)}`).to.equal(0);
      };
      await cli(['import', join(root, 'first.csv'), '--domain', 'roles', '--group', 'people', '--wait']);
      await cli(['run', 'potential', '--group', 'people', '--domain', 'roles', '--wait']);
      await cli(['import', join(root, 'second.csv'), '--domain', 'roles', '--group', 'people', '--wait']);
      await cli(['run', 'potential', '--group', 'people', '--domain', 'roles', '--wait']);
      await cli(['run', 'perfect', '--group', 'people', '--domain', 'roles', '--wait', '--force']);
      const { rows: [counts] } = await owner.query(
        `SELECT (SELECT count(*)::int FROM tenant_a.nodes) AS nodes, (SELECT count(*)::int FROM tenant_a.potential_matches) AS potential,
                (SELECT count(*)::int FROM tenant_a.perfect_matches) AS perfect,
                (SELECT status FROM tenant_a.last_run_potential_matches) AS potential_status,
                (SELECT status FROM tenant_a.last_run_perfect_matches) AS perfect_status`);
      expect(counts).to.include({ nodes: 300, potential_status: 'COMPLETED', perfect_status: 'COMPLETED' });
      expect(counts.potential).to.be.greaterThan(0);
      expect(counts.perfect).to.be.greaterThan(0);

      // the API, as the worker role: an import by reference ids, then a node removed
      const port = Number((await until('the API to listen', () => /"port":(\d+)[^\n]*"msg":"enqueue API listening"/.exec(producer.err())))[1]);
      const api = (method: string, path: string, body?: unknown) => fetch(`http://127.0.0.1:${port}${path}`, {
        method, headers: { authorization: 'Bearer role-token', 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const posted = await api('POST', '/v1/imports', { domainId: 'roles', groupId: 'people', referenceIds: ['extra-1'] });
      expect(posted.status).to.equal(202);
      const id = ((await posted.json()) as { importJobId: string }).importJobId;
      await until('the API import', async () => ((await (await api('GET', `/v1/imports/${id}`)).json()) as { status: string }).status === 'COMPLETED');
      const removed = await api('DELETE', `/v1/domains/roles/groups/people/nodes/${people[0].referenceId}`);
      expect(removed.status, await removed.clone().text()).to.equal(200);

      // the dashboard, as the dashboard role: the ops page lists the group
      const dashboardUrl = urlAs(server.url, 'tenant_a_dashboard', PASSWORDS.dashboard);
      const dash = await startDashboard({ ...cfg, databaseUrl: dashboardUrl, dashboardUsers: ['olga:pw:operator'] }, { port: 0, host: '127.0.0.1' });
      try {
        const ops = await fetch(`${dash.url}/ops`, { headers: { authorization: `Basic ${Buffer.from('olga:pw').toString('base64')}` } });
        expect(ops.status).to.equal(200);
        expect(await ops.text()).to.contain('people');
        expect((await (await fetch(`${dash.url}/readyz`)).json()) as object).to.deep.equal({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
      } finally {
        await dash.close();
      }
      expect(worker.err(), 'no permission errors in the worker log').not.to.match(/permission denied/);
      expect(producer.err(), 'nor in the producer log').not.to.match(/permission denied/);
    } finally {
      await Promise.all(kills.map((kill) => kill()));
      await rm(root, { recursive: true, force: true });
    }
  });

  it('`matchflow migrate` as the owner creates the roles from the settings and says so', async () => {
    const r = await runCli(['migrate'], {
      ...process.env, DATABASE_URL: server.url, DB_SCHEMA: 'tenant_d', DB_WORKER_ROLE: 'd_jobs', DB_WORKER_PASSWORD: 'p1', DB_DASHBOARD_PASSWORD: '',
      LOG_LEVEL: 'silent',
    });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('role d_jobs: granted on schema tenant_d')
      .and.contain('role tenant_d_dashboard: not created or changed (DB_DASHBOARD_PASSWORD is empty)');
    const c = await connect(urlAs(server.url, 'd_jobs', 'p1'), 'tenant_d');
    await c.end();
  });
});

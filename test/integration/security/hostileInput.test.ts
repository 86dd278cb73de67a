// Hostile values through every entry point (issue 7.3): group ids, domain ids, metadata keys,
// file names and reference ids with quotes, `;`, `--`, `$$`, NUL, unicode and great length go in
// through the HTTP API, the Kafka handler, `matchflow import`, `matchflow run` and `matchflow
// solve`. Each is stored verbatim or refused cleanly (a 4xx, a DLQ message, exit code 2), and
// nothing is ever executed: every table is still there and holds only what was sent.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { handleImportMessage } from '../../../src/producers/importConsumer.ts';
import { startImportTriggers, type ImportTriggers } from '../../../src/producers/importTriggers.ts';
import { logger } from '../../../src/shared/logger.ts';
import { createImportFixture, type ImportFixture } from '../../support/importFixture.ts';

const CLI = fileURLToPath(new URL('../../../bin/matchflow.js', import.meta.url));
const TOKEN = 'hostile-test-token';

/** Values that break naive SQL, shell or CSV handling. None contains NUL (see NUL_VALUE). */
export const HOSTILE = [
  `x'; DROP TABLE nodes; --`,
  `"; DELETE FROM domains WHERE ''=''; --`,
  `$$; DROP TABLE matching_groups; $$`,
  `Robert'); DROP TABLE nodes_import_job;--`,
  `\\'; SELECT pg_sleep(5); --`,
  `ünïcødé 🎉 名前 ‮reversed`,
  `a,b\n"c"`,
  `$1 %s %n {{x}} \${x}`,
  `-- only a comment`,
];
const NUL_VALUE = 'nul\u0000byte';
/** Whether a value may name a domain or group (src/groups/names.ts). */
const PRINTABLE = (v: string): boolean => !/[\p{C}\p{Zl}\p{Zp}]/u.test(v);
const LONG = 'L'.repeat(256);

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn('timeout', ['60', process.execPath, CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

describe('hostile input through every entry point', function () {
  this.timeout(180000);
  let fx: ImportFixture;
  let triggers: ImportTriggers;
  let base: string;
  let tables: string[];

  const tableList = async () => (await fx.t.pool.query(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1", [fx.t.schema])).rows.map((r) => r.table_name as string);
  const post = async (body: unknown) => {
    const res = await fetch(`${base}/v1/imports`, {
      method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() as Record<string, unknown> };
  };
  const nodesIn = async (domain: string, group: string) => (await fx.t.pool.query(
    `SELECT n.reference_id, n.metadata FROM nodes n JOIN matching_groups g ON g.id = n.group_id JOIN domains d ON d.id = g.domain_id
     WHERE d.name = $1 AND g.name = $2 ORDER BY n.reference_id`, [domain, group])).rows as Array<{ reference_id: string; metadata: Record<string, string> }>;

  before(async () => {
    fx = await createImportFixture('hostile', { apiTokens: [TOKEN], apiPort: 0 });
    triggers = await startImportTriggers(fx.cfg, { pool: fx.t.pool });
    base = `http://127.0.0.1:${triggers.api.port}`;
    tables = await tableList();
  });
  after(async () => {
    await triggers?.close();
    await fx?.close();
  });
  afterEach(async () => {
    // nothing was dropped or created by any value
    expect(await tableList()).to.deep.equal(tables);
  });

  it('HTTP API: hostile domain, group and reference ids are stored verbatim; NUL and over-long ones get a 400', async () => {
    for (const [i, h] of HOSTILE.entries()) {
      // names are printable text only (a newline, a bidirectional override are not): such values go in as reference ids
      const [domain, group] = PRINTABLE(h) ? [h, `${h}#${i}`] : [`printable ${i}`, `printable #${i}`];
      const r = await post({ domainId: domain, groupId: group, referenceIds: [h, `${h}-2`], fileName: h, type: 'T' });
      expect(r.status, `${h}: ${JSON.stringify(r.body)}`).to.equal(202);
      await fx.wait(r.body.importJobId as string);
      expect((await nodesIn(domain, group)).map((n) => n.reference_id)).to.deep.equal([h, `${h}-2`].sort());
    }
    for (const body of [
      { domainId: NUL_VALUE, groupId: 'g', referenceIds: ['r'] },
      { domainId: 'd', groupId: NUL_VALUE, referenceIds: ['r'] },
      { domainId: 'd', groupId: 'g', referenceIds: [NUL_VALUE] },
      { domainId: 'd', groupId: 'g', referenceIds: ['r'], fileName: NUL_VALUE },
      { domainId: LONG, groupId: 'g', referenceIds: ['r'] },
      { domainId: 'd', groupId: 'g', referenceIds: [LONG] },
      { domainId: 'd', groupId: 'g', filePath: `../${HOSTILE[0]}` },
      { domainId: 'd', groupId: 'g', filePath: `/etc/passwd` },
      ...HOSTILE.filter((h) => !PRINTABLE(h))
        .flatMap((h) => [{ domainId: h, groupId: 'g', referenceIds: ['r'] }, { domainId: 'd', groupId: h, referenceIds: ['r'] }]),
      { domainId: 'd\u001b[2J', groupId: 'g', referenceIds: ['r'] },
      { domainId: 'd', groupId: '\u200b', referenceIds: ['r'] },
    ]) {
      const r = await post(body);
      expect(r.status, JSON.stringify(body).slice(0, 80)).to.equal(400);
      expect(r.body).to.have.property('code');
    }
    const { rows } = await fx.t.pool.query("SELECT count(*)::int AS n FROM domains WHERE name = 'd'");
    expect(rows[0].n).to.equal(0);
  });

  it('HTTP API: an object URL with credentials is refused and stored nowhere', async () => {
    for (const filePath of ['http://user:hunter2@127.0.0.1:9/b/k.csv', 's3://AKIA:hunter2@bucket/k.csv']) {
      const r = await post({ domainId: 'url-domain', groupId: 'g', filePath });
      expect(r.status, filePath).to.equal(400);
      expect(r.body.code).to.equal('s3_url_credentials');
      expect(JSON.stringify(r.body)).not.to.contain('hunter2');
    }
    const { rows } = await fx.t.pool.query("SELECT count(*)::int AS n FROM nodes_import_job WHERE source LIKE '%hunter2%'");
    expect(rows[0].n).to.equal(0);
  });

  it('Kafka handler: hostile values are enqueued verbatim; NUL goes to the DLQ', async () => {
    const deps = { cfg: fx.cfg, pool: fx.t.pool, queue: fx.queue, publish: fx.publish, log: logger(), sleep: async () => undefined };
    let offset = 0;
    const message = (body: unknown) =>
      ({ topic: 'hostile-users', partition: 0, message: { offset: String(offset++), key: null, value: Buffer.from(JSON.stringify(body)) } });
    for (const h of HOSTILE.slice(0, 5)) {
      const out = await handleImportMessage(deps, message({ domainId: `kafka ${h}`, groupId: h, referenceIds: [h] }));
      expect(out.kind, h).to.equal('enqueued');
      if (out.kind === 'enqueued') await fx.wait(out.importJobId);
      expect((await nodesIn(`kafka ${h}`, h)).map((n) => n.reference_id)).to.deep.equal([h]);
    }
    const dlq = await handleImportMessage(deps, message({ domainId: 'kafka-nul', groupId: NUL_VALUE, referenceIds: ['r'] }));
    expect(dlq.kind).to.equal('dead-lettered');
  });

  it('matchflow import: a hostile file name, metadata keys and values, domain and group', async () => {
    const h = HOSTILE;
    const fileName = `people ${h[0]} ${h[5]}.csv`.replace(/\n/g, ' ');
    const keys = [`k ${h[2]}`, `k ${h[3]}`, `k ${h[5]}`];
    const csv = (v: string) => `"${v.replace(/"/g, '""')}"`;
    const lines = [['reference_id', ...keys].map(csv).join(',')];
    for (const [i, v] of h.entries()) lines.push([`${v}#${i}`, v, `${v} x`, 'ok'].map(csv).join(','));
    await fx.file(fileName, lines.join('\n') + '\n');
    const domain = `cli ${h[1]}`;
    const group = `cli ${h[4]}`;
    const r = await cli(['import', join(fx.root, fileName), '--domain', domain, '--group', group, '--wait', '--request-key', h[0]],
      { ...fx.t.env, IMPORT_ROOT: fx.root, NO_COLOR: '1' });
    expect(r.code, r.err).to.equal(0);
    const nodes = await nodesIn(domain, group);
    expect(nodes.map((n) => n.reference_id)).to.deep.equal(h.map((v, i) => `${v}#${i}`).sort());
    const byRef = new Map(nodes.map((n) => [n.reference_id, n.metadata]));
    for (const [i, v] of h.entries()) {
      const m = byRef.get(`${v}#${i}`)!;
      // header names are normalized (case, spaces): what matters is that each value landed as data
      expect(Object.values(m).sort(), v).to.deep.equal([v, `${v} x`, 'ok'].sort());
    }
    const { rows } = await fx.t.pool.query('SELECT file_name FROM nodes_import_job WHERE file_name IS NOT NULL AND file_name LIKE $1', ['people %']);
    expect(rows.map((x) => x.file_name)).to.include(fileName);
  });

  it('matchflow run: a hostile group name is looked up as data: found when it exists, else reported missing (exit 2)', async () => {
    // the Kafka test created group HOSTILE[0] in domain `kafka ${HOSTILE[0]}`
    const found = await cli(['run', 'potential', '--group', HOSTILE[0], '--domain', `kafka ${HOSTILE[0]}`], fx.t.env);
    expect(found.code, found.err).to.equal(0);
    const unknown: Array<[string, string | undefined]> = [[`missing ${HOSTILE[0]}`, undefined], [HOSTILE[2], HOSTILE[3]], [`' OR '1'='1`, undefined]];
    for (const [group, domain] of unknown) {
      const r = await cli(['run', 'potential', '--group', group, ...(domain ? ['--domain', domain] : [])], fx.t.env);
      expect(r.code, `${group}: ${r.err}`).to.equal(2);
      expect(r.err).to.match(/no (group|domain)/);
    }
  });

  it('matchflow solve: hostile reference ids in the edge CSV come out verbatim', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mf-hostile-solve-'));
    try {
      const csv = (v: string) => `"${v.replace(/"/g, '""')}"`;
      const lines = ['left,right,score'];
      for (let i = 0; i + 1 < HOSTILE.length; i += 2) lines.push([HOSTILE[i], HOSTILE[i + 1], '0.9'].map(csv).join(','));
      await writeFile(join(dir, 'edges.csv'), lines.join('\n') + '\n');
      const r = await cli(['solve', '--strategy', 'greedy', '--input', join(dir, 'edges.csv'), '--output', join(dir, 'pairs.csv')], fx.t.env);
      expect(r.code, r.err).to.equal(0);
      const out = await readFile(join(dir, 'pairs.csv'), 'utf8');
      for (let i = 0; i + 1 < HOSTILE.length; i += 2) {
        expect(out.includes(csv(HOSTILE[i])) || out.includes(HOSTILE[i]), HOSTILE[i]).to.equal(true);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// `npm run bench -- import` (issue 3 item 8): a 1,000,000-row gzip CSV (reference_id, type and
// 6 metadata columns) imported through the real job path — enqueue → `matchflow worker` process →
// nodes — against the anchor measured in the same run: psql \copy of the same rows into the same
// staging table followed by the same UPSERT. Each measurement starts from an empty nodes table.
// Targets on the 2-core reference machine: ≥ 50,000 nodes/s end to end, ≥ 0.8 × the anchor's
// rate, peak worker RSS ≤ 300 MB.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { peakRssMb } from './_peakRss.ts';
import { createGzip } from 'node:zlib';
import { resolveDomain, resolveGroup } from '../src/groups/catalog.ts';
import { config, loadConfig, type Config } from '../src/shared/config.ts';
import { copyField } from '../src/shared/copy.ts';
import { createPool, ident, type Pool } from '../src/shared/db.ts';
import { migrate } from '../src/shared/migrate.ts';
import { openQueue } from '../src/shared/queue.ts';
import { QUEUE } from '../src/shared/queues.ts';
import { createRedis } from '../src/shared/redis.ts';
import { enqueueImport } from '../src/import/enqueueImport.ts';
import { getImportJob } from '../src/import/importJobs.ts';
import { CREATE_STAGING_SQL, STAGING_COLUMNS, upsertSql } from '../src/import/nodeMerge.ts';
import { nodeIdSequence } from '../src/import/nodeIds.ts';
import { syntheticPeople } from '../src/synthetic/people.ts';

const ROWS = 1_000_000;
const SEED = 20240601;
const TARGET_RATE = 50_000;
const TARGET_ANCHOR_RATIO = 0.8;
const TARGET_RSS_MB = 300;
const METADATA = ['industry', 'city', 'language', 'skills', 'years_experience', 'seniority'] as const;
const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const PROCESS_TIMEOUT_SEC = 1800;

const people = () => syntheticPeople({ count: ROWS, seed: SEED, types: [['MENTOR', 0.4], ['MENTEE', 0.6]] });

async function writeLines(path: string, lines: Iterable<string>, gzip: boolean): Promise<void> {
  const chunks = function* () {
    let buf = '';
    for (const l of lines) {
      buf += l;
      if (buf.length >= 1 << 16) {
        yield buf;
        buf = '';
      }
    }
    if (buf) yield buf;
  };
  if (gzip) await pipeline(Readable.from(chunks()), createGzip(), createWriteStream(path));
  else await pipeline(Readable.from(chunks()), createWriteStream(path));
}

/** The CSV the job imports. */
function* csvLines(): Generator<string> {
  yield `reference_id,type,${METADATA.join(',')}\n`;
  for (const p of people()) yield `${p.referenceId},${p.type},${METADATA.map((k) => p.metadata[k]).join(',')}\n`;
}

/** The same rows in the staging table's COPY format, as the worker stages them. */
function* stagingLines(): Generator<string> {
  const nextId = nodeIdSequence();
  let row = 0;
  for (const p of people()) {
    const meta: Record<string, string> = {};
    for (const k of METADATA) meta[k] = p.metadata[k];
    yield `${++row}\t${nextId()}\t${copyField(p.referenceId)}\t${p.type}\t${copyField(JSON.stringify(meta))}\tf\n`;
  }
}

async function freshSchema(cfg: Config, tag: string): Promise<{ cfg: Config; pool: Pool }> {
  const schema = `bench_import_${tag}_${randomBytes(3).toString('hex')}`;
  const c = loadConfig({ ...process.env, DB_SCHEMA: schema }, { queuePrefix: `mfbench-${schema}` });
  const pool = createPool(c, { max: 4 });
  await migrate(pool, schema);
  return { cfg: c, pool };
}

async function emptyNodes(pool: Pool): Promise<void> {
  await pool.query('TRUNCATE nodes CASCADE');
  // Each measurement starts without dirty buffers or pending WAL from the previous one.
  await pool.query('CHECKPOINT').catch(() => undefined);
}

async function timeAnchor(cfg: Config, pool: Pool, file: string, dir: string): Promise<number> {
  await emptyNodes(pool);
  const domainId = (await resolveDomain(pool, 'bench', true))!;
  const group = (await resolveGroup(pool, domainId, `anchor-${randomBytes(3).toString('hex')}`, {}))!;
  const sql = upsertSql(true).replace('$1', `'${group.id}'::uuid`).replace('$2', `'${domainId}'::uuid`);
  const script = join(dir, 'anchor.sql');
  await writeFile(script, `\\set ON_ERROR_STOP on
BEGIN;
SELECT set_config('work_mem', '${cfg.importWorkMem}', true);
${CREATE_STAGING_SQL.replace(/\s+/g, ' ')};
\\copy import_staging (${STAGING_COLUMNS}) FROM '${file}'
${sql};
COMMIT;
`);
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const psql = spawn('timeout', [String(PROCESS_TIMEOUT_SEC), 'psql', '-q', '-X', cfg.databaseUrl, '-f', script], {
      env: { ...process.env, PGOPTIONS: `-c search_path=${cfg.dbSchema}` }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    psql.stderr.on('data', (d) => (err += d));
    psql.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`psql exited ${code}: ${err}`))));
  });
  const seconds = (performance.now() - t0) / 1000;
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM nodes WHERE group_id = $1', [group.id]);
  if (rows[0].n !== ROWS) throw new Error(`anchor wrote ${rows[0].n} nodes, expected ${ROWS}`);
  return seconds;
}

async function timeJob(cfg: Config, pool: Pool, root: string): Promise<{ seconds: number; rssMb: number; dbWaitShare: string }> {
  await emptyNodes(pool);
  const log = join(root, 'worker.log');
  const worker = spawn('timeout', [String(PROCESS_TIMEOUT_SEC), process.execPath, '--import', 'tsx', CLI, 'worker', '--queues', 'import'], {
    detached: true,
    env: { ...process.env, DB_SCHEMA: cfg.dbSchema, QUEUE_PREFIX: cfg.queuePrefix, IMPORT_ROOT: root, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = createWriteStream(log);
  worker.stdout!.pipe(out);
  worker.stderr!.pipe(out);
  const queue = openQueue(cfg, QUEUE.import);
  try {
    const ready = Date.now();
    while ((await queue.getWorkers()).length === 0) {
      if (Date.now() - ready > 60_000) throw new Error(`the worker did not start (see ${log})`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const t0 = performance.now();
    const e = await enqueueImport({ cfg, pool, queue }, { domain: 'bench', group: 'job', source: { kind: 'file', path: 'people.csv.gz' } });
    for (;;) {
      const job = (await getImportJob(pool, e.importJobId))!;
      if (job.status === 'FAILED') throw new Error(`import FAILED: ${job.failureReason}`);
      if (job.status === 'COMPLETED') {
        if (job.processedNodes !== ROWS) throw new Error(`import wrote ${job.processedNodes} nodes, expected ${ROWS}`);
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - t0) / 1000;
    const rssMb = await peakRssMb(worker);
    await new Promise((r) => setTimeout(r, 200));
    const finished = (await readFile(log, 'utf8')).split('\n').filter((l) => l.includes('"import finished"')).map((l) => JSON.parse(l)).pop();
    const dbWaitShare = finished ? `${Math.round((100 * finished.waitingForDatabaseSeconds) / finished.seconds)} %` : '?';
    return { seconds, rssMb, dbWaitShare };
  } finally {
    await queue.close();
    try { process.kill(-worker.pid!, 'SIGTERM'); } catch { /* gone */ }
  }
}

export async function run(): Promise<void> {
  const base = config();
  const dir = await mkdtemp(join(tmpdir(), 'mf-bench-import-'));
  const job = await freshSchema(base, 'job');
  const anchor = await freshSchema(base, 'anchor');
  try {
    const load0 = loadavg()[0];
    let t = performance.now();
    const csv = join(dir, 'people.csv.gz');
    await writeLines(csv, csvLines(), true);
    const staging = join(dir, 'people.copy');
    await writeLines(staging, stagingLines(), false);
    const gen = (performance.now() - t) / 1000;
    process.stdout.write(`generated ${ROWS.toLocaleString('en-US')} rows in ${gen.toFixed(1)} s: ${csv} (${((await stat(csv)).size / 2 ** 20).toFixed(1)} MiB gzip)\n`);

    const anchors = [await timeAnchor(anchor.cfg, anchor.pool, staging, dir)];
    const j = await timeJob(job.cfg, job.pool, dir);
    anchors.push(await timeAnchor(anchor.cfg, anchor.pool, staging, dir));
    const a = Math.min(...anchors);
    const rate = (s: number) => Math.round(ROWS / s);
    const fmt = (n: number) => n.toLocaleString('en-US');
    const ratio = rate(j.seconds) / rate(a);
    const pass = (ok: boolean) => (ok ? 'pass' : 'FAIL');
    t = performance.now();
    const lines = [
      '',
      `| path (${fmt(ROWS)} rows, gzip CSV, 8 columns) | seconds | nodes/s | vs anchor |`,
      '|---|---:|---:|---:|',
      `| anchor: psql \\copy into staging + the same UPSERT (best of ${anchors.length}: ${anchors.map((x) => x.toFixed(1)).join(', ')} s) | ${a.toFixed(1)} | ${fmt(rate(a))} | 1.00 |`,
      `| import-file job: enqueue → worker process → nodes COMPLETED | ${j.seconds.toFixed(1)} | ${fmt(rate(j.seconds))} | ${ratio.toFixed(2)} |`,
      '',
      `peak worker RSS ${j.rssMb.toFixed(0)} MB; the worker spent ${j.dbWaitShare} of the import waiting for PostgreSQL; load average ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)}`,
      `targets: ≥ ${fmt(TARGET_RATE)} nodes/s ${pass(rate(j.seconds) >= TARGET_RATE)}; ≥ ${TARGET_ANCHOR_RATIO} × anchor ${pass(ratio >= TARGET_ANCHOR_RATIO)}; RSS ≤ ${TARGET_RSS_MB} MB ${pass(j.rssMb <= TARGET_RSS_MB)}`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
  } finally {
    for (const s of [job, anchor]) {
      await s.pool.query(`DROP SCHEMA IF EXISTS ${ident(s.cfg.dbSchema)} CASCADE`).catch(() => undefined);
      await s.pool.end();
      const redis = createRedis({}, s.cfg.redisUrl);
      const keys = await redis.keys(`${s.cfg.queuePrefix}:*`);
      if (keys.length) await redis.unlink(...keys);
      redis.disconnect();
    }
    await rm(dir, { recursive: true, force: true });
  }
}

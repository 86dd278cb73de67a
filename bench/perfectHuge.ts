// `npm run bench -- perfectHuge`: one bipartite group of 100,000,000 potential matches (issue 5 §3:
// "a group of 100,000,000 edges does not crash the worker") through a real `matchflow worker`
// process with the default memory budget: stream out of PostgreSQL → spill to LMDB → rank-ordered
// merge → strategy → perfect_matches. Prints the job's time against the anchor measured in the
// same run (COPY … TO STDOUT of the same rows, read and discarded) and the worker's peak RSS.
//
// Knobs (environment): HUGE_EDGES (100,000,000), HUGE_PER_LEFT (edges per left node, 100),
// HUGE_STRATEGY (the group's strategy; default: the BIPARTITE default, assignment),
// MATCHING_MAX_MEMORY_MB (the worker's budget; the config default).
//
// Seeding 100M rows through the real table's unique indexes would take longer than the rest of
// the bench, and the job reads the group with a sequential scan either way, so this bench's own
// schema drops potential_matches' primary key and unique constraint and makes the table UNLOGGED
// before it fills it with INSERT … SELECT generate_series. Partners are spread by a multiplicative
// pattern (distinct per left node), scores by a hash: deterministic, nothing random.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { peakRssMb } from './_peakRss.ts';
import { QueueEvents } from 'bullmq';
import { loadConfig } from '../src/shared/config.ts';
import { createPool, ident, withClient } from '../src/shared/db.ts';
import { copyOutLines } from '../src/shared/copy.ts';
import { migrate } from '../src/shared/migrate.ts';
import { configureGroup, resolveDomain, resolveGroup } from '../src/groups/catalog.ts';
import { bullConnection, openQueue } from '../src/shared/queue.ts';
import { JOB, QUEUE } from '../src/shared/queues.ts';
import { defaultStrategy } from '../src/matching/perfect/strategies.ts';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const PROCESS_TIMEOUT_SEC = 4 * 3600;
const SEED_BATCH_LEFT = 100_000;
/** a prime that is no factor of the right side's size, so i·A + k·B mod n is distinct per k */
const SPREAD = 104_729;

function envInt(name: string, dflt: number): number {
  const v = process.env[name];
  return v ? Number(v) : dflt;
}

const secs = (t0: number) => (performance.now() - t0) / 1000;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export async function run(): Promise<void> {
  const edges = envInt('HUGE_EDGES', 100_000_000);
  const perLeft = envInt('HUGE_PER_LEFT', 100);
  const nLeft = Math.ceil(edges / perLeft);
  const nRight = nLeft % SPREAD === 0 ? nLeft + 1 : nLeft;
  const schema = `bench_huge_${process.pid}`;
  const prefix = `bench-huge-${process.pid}`;
  const cfg = loadConfig({ ...process.env, DB_SCHEMA: schema, QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn' });
  const pool = createPool(cfg);
  const dir = await mkdtemp(join(tmpdir(), 'mf-bench-huge-'));
  const load0 = loadavg()[0];
  try {
    await migrate(pool, schema);
    const domainId = (await resolveDomain(pool, 'bench', true))!;
    const group = (await resolveGroup(pool, domainId, 'huge', { matchType: 'BIPARTITE' }))!;
    const strategy = process.env.HUGE_STRATEGY ?? defaultStrategy('BIPARTITE');
    await configureGroup(pool, group, { algorithmId: strategy, params: { partitionKey: 'type', leftValues: ['L'], rightValues: ['R'] } });
    const cycleId = randomUUID();

    const t0 = performance.now();
    await pool.query(`ALTER TABLE potential_matches DROP CONSTRAINT potential_matches_pkey, DROP CONSTRAINT uq_match`);
    await pool.query('ALTER TABLE potential_matches SET UNLOGGED');
    await pool.query(`INSERT INTO nodes (group_id, domain_id, reference_id, type, processed)
      SELECT $1::uuid, $2::uuid, 'L' || i, 'L', true FROM generate_series(0, $3::int - 1) i
      UNION ALL SELECT $1::uuid, $2::uuid, 'R' || j, 'R', true FROM generate_series(0, $4::int - 1) j`, [group.id, domainId, nLeft, nRight]);
    for (let from = 0; from < nLeft; from += SEED_BATCH_LEFT) {
      const to = Math.min(nLeft, from + SEED_BATCH_LEFT);
      await pool.query(`INSERT INTO potential_matches (group_id, domain_id, processing_cycle_id, reference_id, matched_reference_id, compatibility_score)
        SELECT $1::uuid, $2::uuid, $3, 'L' || i, 'R' || ((i::bigint * 7919 + k::bigint * ${SPREAD}) % $6),
               ((i::bigint * 2654435761 + k::bigint * 40503) % 1000003) / 1000003.0
        FROM generate_series($4::int, $5::int - 1) i, generate_series(0, ${perLeft - 1}) k`,
      [group.id, domainId, cycleId, from, to, nRight]);
      process.stderr.write(`\r  seeding potential_matches: ${fmt(to * perLeft)} / ${fmt(edges)} rows`);
    }
    process.stderr.write('\n');
    await pool.query(`INSERT INTO last_run_potential_matches (group_id, domain_id, processing_cycle_id, status, started_at, finished_at, node_count, edge_count)
      VALUES ($1, $2, $3, 'COMPLETED', now(), now(), $4, $5)`, [group.id, domainId, cycleId, nLeft + nRight, nLeft * perLeft]);
    await pool.query('ANALYZE potential_matches');
    const seedSeconds = secs(t0);

    const a0 = performance.now();
    let anchorRows = 0;
    await withClient(pool, (c) => copyOutLines(c, `COPY (SELECT reference_id, matched_reference_id, compatibility_score FROM potential_matches
      WHERE group_id = ${c.escapeLiteral(group.id)}) TO STDOUT`, () => { anchorRows++; }));
    const anchorSeconds = secs(a0);
    if (anchorRows !== nLeft * perLeft) throw new Error(`seeded ${anchorRows} rows, expected ${nLeft * perLeft}`);

    const log = join(dir, 'worker.log');
    const worker = spawn('timeout', [String(PROCESS_TIMEOUT_SEC), process.execPath, '--import', 'tsx', CLI, 'worker', '--queues', 'perfect'], {
      detached: true,
      env: { ...process.env, DB_SCHEMA: schema, QUEUE_PREFIX: prefix, LOG_LEVEL: 'info', LMDB_PATH: join(dir, 'lmdb'), METRICS_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = createWriteStream(log);
    worker.stdout!.pipe(out);
    worker.stderr!.pipe(out);
    const queue = openQueue(cfg, QUEUE.perfect);
    const events = new QueueEvents(QUEUE.perfect, { connection: bullConnection(cfg), prefix: cfg.queuePrefix });
    try {
      await events.waitUntilReady();
      const j0 = performance.now();
      const job = await queue.add(JOB.perfectMatchGroup, { groupId: group.id, domainId }, { attempts: 1 });
      const ticker = setInterval(() => {
        void queue.getJob(job.id!).then((j) => process.stderr.write(`\r  job: ${secs(j0).toFixed(0)} s, progress ${String(j?.progress ?? 0)} %   `));
      }, 5000);
      let result: { pairs: number; strategy: string; outOfCore?: string; nodes: number };
      try {
        result = (await job.waitUntilFinished(events)) as typeof result;
      } finally {
        clearInterval(ticker);
        process.stderr.write('\n');
      }
      const jobSeconds = secs(j0);
      const rssMb = await peakRssMb(worker);
      const written = Number((await pool.query('SELECT count(*) AS n FROM perfect_matches WHERE group_id = $1', [group.id])).rows[0].n);
      if (written !== result.pairs) throw new Error(`job reported ${result.pairs} pairs, perfect_matches holds ${written}`);
      const rate = (s: number) => fmt(edges / s);
      process.stdout.write([
        `| ${fmt(nLeft * perLeft)} edges, ${fmt(result.nodes)} nodes, strategy ${result.strategy}, budget ${cfg.maxMemoryMb} MiB | seconds | edges/s | vs anchor |`,
        '|---|---:|---:|---:|',
        `| anchor: COPY … TO STDOUT of the group's rows (read, discarded) | ${anchorSeconds.toFixed(1)} | ${rate(anchorSeconds)} | 1.00 |`,
        `| perfect-match-group job in a worker process | ${jobSeconds.toFixed(1)} | ${rate(jobSeconds)} | ${(jobSeconds / anchorSeconds).toFixed(1)}× the time |`,
        '',
        `pairs written ${fmt(result.pairs)}; peak worker RSS ${fmt(rssMb)} MB; seeding took ${seedSeconds.toFixed(0)} s;` +
          ` load average ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)}`,
        `out of core: ${result.outOfCore ?? 'no (the group fit the budget)'}`,
        '',
      ].join('\n'));
    } finally {
      await events.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      worker.kill('SIGTERM'); // timeout passes it on to the worker
    }
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`).catch(() => undefined);
    await pool.end();
    // the worker's log outlives the run, for the stage timings (info level: a few lines per job)
    await copyFile(join(dir, 'worker.log'), join(tmpdir(), 'matchflow-bench-huge-worker.log')).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

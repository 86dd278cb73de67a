// `npm run bench -- scaleout`: what a deployment of 10,000,000 nodes in 1,000 groups needs, from
// one group of the same size (10,000 nodes, K = 100) measured here (docs/scaling-out.md):
//  - Redis memory per queued job (fetch-page, build-chunk-pair in a cycle's flow) and per group
//    (what one full cycle plus its perfect run leaves in Redis: completed jobs are kept for
//    JOBS_KEEP_COMPLETED_SECONDS), on a redis-server of the bench's own, so that nothing else
//    moves its used_memory; anchor: a BullMQ job with empty data, on the same server;
//  - PostgreSQL bytes per node of potential_matches (heap, TOAST and each index); anchor: the
//    group's `nodes` rows;
//  - worker time per job kind, from one worker process running one job at a time (a worker slot is
//    busy for a job's wall time, including its waits on PostgreSQL), and the workers a nightly
//    window needs for 1,000 such groups.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { closeCycleQueues, enqueueCycleFlow, enqueueFetchPages, potentialQueue } from '../src/potential/cycleJobs.ts';
import { startCycle, waitForCycle } from '../src/potential/startCycle.ts';
import { configureGroup } from '../src/groups/catalog.ts';
import { bullConnection, scanKeys } from '../src/shared/redis.ts';
import { openQueue } from '../src/shared/queue.ts';
import { QUEUE, type FetchPagePayload } from '../src/shared/queues.ts';
import { syntheticPeople } from '../src/synthetic/people.ts';
import { insertNodes, makeGroup } from '../test/support/potentialFixture.ts';
import { freeRedisPort, startRedisProcess } from '../test/support/redis/redisProcess.ts';
import { createTestEnv, type TestEnv } from '../test/support/testEnv.ts';
import type { GroupRow } from '../src/groups/catalog.ts';
import { printTable, type Row } from './_table.ts';

const GROUP_NODES = 10_000;
/** share of a group that is new in a nightly (incremental) cycle */
const NEW_SHARE = 0.05;
const DEPLOYMENT = { nodes: 10_000_000, groups: 1_000 };
/** the nightly window the worker count is sized for */
const WINDOW_HOURS = 4;
/** jobs enqueued per kind to measure memory per queued job */
const QUEUED = 2_000;
// the CLI's TypeScript under tsx, as the other benchmarks run it (bin/matchflow.js runs the build in dist/)
const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const TSX = createRequire(import.meta.url).resolve('tsx');

/**
 * MEMORY USAGE (every element counted) of each key under `prefix`, by the key's name without the
 * prefix. Server overhead (client buffers, the script cache) is not in it: it does not grow with
 * jobs or groups.
 */
async function keyBytes(redis: Redis, prefix: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for await (const keys of scanKeys(redis, `${prefix}:*`)) {
    for (const k of keys) out.set(k.slice(prefix.length + 1), Number(await redis.memory('USAGE', k, 'SAMPLES', 0)));
  }
  return out;
}

/** Bytes of the keys other than the event streams, which BullMQ caps (maxLenEvents, 10,000 events a queue). */
const jobBytes = (m: Map<string, number>) => [...m].filter(([k]) => !k.endsWith(':events')).reduce((a, [, b]) => a + b, 0);

/** Bytes per job that `enqueue` adds to the keys under `prefix`, over `n` jobs. */
async function bytesPerJob(redis: Redis, prefix: string, n: number, enqueue: () => Promise<void>): Promise<number> {
  const before = jobBytes(await keyBytes(redis, prefix));
  await enqueue();
  return (jobBytes(await keyBytes(redis, prefix)) - before) / n;
}

/** CPU seconds a process has used (Linux /proc; 0 elsewhere). */
function processCpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
const gb = (b: number) => `${(b / 1024 ** 3).toFixed(1)} GB`;
const kb = (b: number) => `${(b / 1024).toFixed(2)} KB`;

interface MeasuredRun {
  seconds: number;
  workerCpu: number;
  backendCpu: number;
  jobs: Job[];
  perKind: Map<string, { n: number; ms: number }>;
  /** the jobs' wall times summed: how long a job slot is busy */
  workerSeconds: number;
}

/**
 * A cycle of `group` and the perfect run it triggers, on the worker process, with the CPU of the
 * worker and of the PostgreSQL sessions it opened (told apart by their application_name).
 */
async function measuredRun(env: TestEnv, group: GroupRow, worker: ChildProcess, appName: string, incremental: boolean): Promise<MeasuredRun> {
  const cfg = env.cfg;
  const cpu0 = processCpuSeconds(worker.pid!);
  // first and last reading of each backend (a pool may open one during the run)
  const backends = new Map<number, [number, number]>();
  const sampleBackends = async () => {
    const { rows: pids } = await env.pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [appName]);
    for (const { pid } of pids) {
      const now = processCpuSeconds(pid);
      const seen = backends.get(pid);
      backends.set(pid, seen ? [seen[0], now] : [now, now]);
    }
  };
  await sampleBackends();
  const sampler = setInterval(() => void sampleBackends().catch(() => undefined), 250);
  const t0 = Date.now();
  const cycleId = await startCycle(cfg, group, { incremental });
  const outcome = await waitForCycle(cfg, env.pool, group.id, cycleId, 100);
  if (outcome.status !== 'COMPLETED') throw new Error(`cycle ${outcome.status}: ${JSON.stringify(outcome)}`);
  for (;;) {
    const { rows: r } = await env.pool.query<{ status: string }>(
      'SELECT status FROM last_run_perfect_matches WHERE group_id = $1 AND potential_cycle_id = $2', [group.id, cycleId]);
    if (r[0] && r[0].status !== 'PENDING') {
      if (r[0].status !== 'COMPLETED') throw new Error(`perfect run ${r[0].status}`);
      break;
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  const seconds = (Date.now() - t0) / 1000;
  clearInterval(sampler);
  await sampleBackends();
  const perfect = openQueue(cfg, QUEUE.perfect);
  const jobs: Job[] = [...(await potentialQueue(cfg).getJobs(['completed'], 0, -1)), ...(await perfect.getJobs(['completed'], 0, -1))]
    .filter((j) => {
      const d = j.data as { cycleId?: string; potentialCycleId?: string };
      return d.cycleId === cycleId || d.potentialCycleId === cycleId;
    });
  await perfect.close();
  const perKind = new Map<string, { n: number; ms: number }>();
  for (const j of jobs) {
    const k = perKind.get(j.name) ?? { n: 0, ms: 0 };
    k.n++;
    k.ms += (j.finishedOn ?? 0) - (j.processedOn ?? 0);
    perKind.set(j.name, k);
  }
  return {
    seconds, jobs, perKind,
    workerCpu: processCpuSeconds(worker.pid!) - cpu0,
    backendCpu: [...backends.values()].reduce((a, [first, last]) => a + last - first, 0),
    workerSeconds: [...perKind.values()].reduce((a, k) => a + k.ms, 0) / 1000,
  };
}

export async function run(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'mf-bench-scaleout-'));
  const server = await startRedisProcess(root, await freeRedisPort(), ['--appendonly', 'no', '--maxmemory-policy', 'noeviction']);
  const url = `redis://127.0.0.1:${server.port}`;
  const env = await createTestEnv('benchscale', { env: { REDIS_URL: url, MATCHING_TOPK_COUNT: '100' } });
  const admin = new Redis(url);
  const workers: ChildProcess[] = [];
  const rows: Row[] = [{ measure: 'load average (1, 5, 15 min) before', value: '', target: loadavg().map((x) => x.toFixed(2)).join(', ') }];
  try {
    const cfg = env.cfg;
    // --- Redis memory per queued job
    const anchorQueue = new Queue('anchor', { connection: bullConnection(cfg), prefix: cfg.queuePrefix });
    await anchorQueue.waitUntilReady();
    await anchorQueue.add('warm', {}); // the queue's own keys, not counted below
    const anchor = await bytesPerJob(admin, cfg.queuePrefix, QUEUED, async () => {
      await anchorQueue.addBulk(Array.from({ length: QUEUED }, () => ({ name: 'x', data: {} })));
    });
    await anchorQueue.obliterate({ force: true });
    await anchorQueue.close();
    const ref = {
      cycleId: '00000000-0000-4000-8000-00000000bee1', domainId: '00000000-0000-4000-8000-0000000000d1', groupId: '00000000-0000-4000-8000-0000000000a1',
    };
    await potentialQueue(cfg).waitUntilReady();
    const cursor = { createdAt: '2026-11-30T10:00:00.000Z', id: '00000000-0000-4000-8000-000000000abc' };
    const pages = Array.from({ length: QUEUED }, (_, i): FetchPagePayload => (
      { ...ref, pageIndex: i + 1, after: cursor, upTo: cursor, incremental: true, kind: 'N' }));
    const fetchBytes = await bytesPerJob(admin, cfg.queuePrefix, QUEUED, () => enqueueFetchPages(cfg, pages));
    const rowPages = Array.from({ length: QUEUED }, (_, i) => ({ kind: 'N' as const, index: i }));
    const buildBytes = await bytesPerJob(admin, cfg.queuePrefix, QUEUED, () => enqueueCycleFlow(cfg, ref, 1, rowPages));
    await potentialQueue(cfg).obliterate({ force: true });
    rows.push(
      { measure: 'anchor: a BullMQ job with empty data, waiting', value: `${anchor.toFixed(0)} B` },
      { measure: 'fetch-page job, waiting (a page of the plan)', value: `${fetchBytes.toFixed(0)} B`, target: `${(fetchBytes / anchor).toFixed(2)} × anchor` },
      { measure: 'build-chunk-pair job, waiting in its flow', value: `${buildBytes.toFixed(0)} B`, target: `${(buildBytes / anchor).toFixed(2)} × anchor` },
    );

    // --- one full cycle and its perfect run of a 10,000-node group, one job at a time
    const group = await makeGroup(env.pool, 'scaleout', { candidateStrategy: 'metadata' });
    await configureGroup(env.pool, group, { algorithmId: 'blossom', params: { candidateStrategy: 'metadata' } });
    await insertNodes(env.pool, group, syntheticPeople({ count: GROUP_NODES, seed: 1019 }));
    await env.pool.query('ANALYZE nodes');
    // the worker's PostgreSQL sessions are told apart by their application_name (the URL's wins)
    const appName = `mf-bench-scaleout-${process.pid}`;
    const workerDb = new URL(cfg.databaseUrl);
    workerDb.searchParams.set('application_name', appName);
    workers.push(spawn(process.execPath, ['--import', TSX, CLI, 'worker', '--queues', 'potential,perfect'], {
      env: { ...env.env, DATABASE_URL: workerDb.toString(), METRICS_PORT: '0', LOG_LEVEL: 'error', WORKER_CONCURRENCY: '1', MATCHING_SCORING_THREADS: '1' },
      stdio: ['ignore', 'ignore', 'inherit'],
    }));
    const perfect = openQueue(cfg, QUEUE.perfect);
    for (const deadline = Date.now() + 60_000; (await perfect.getWorkersCount()) < 1;) {
      if (Date.now() > deadline) throw new Error('the worker process did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
    await perfect.close();
    // what a deployment's Redis holds before any cycle: the queues' own keys and the workers
    const idle = await keyBytes(admin, cfg.queuePrefix);
    const full = await measuredRun(env, group, workers[0], appName, false);
    const after = await keyBytes(admin, cfg.queuePrefix);
    const retained = jobBytes(after) - jobBytes(idle);
    const streams = [...after].filter(([k]) => k.endsWith(':events'));
    const eventEntries = (await Promise.all(streams.map(([k]) => admin.xlen(`${cfg.queuePrefix}:${k}`)))).reduce((a, b) => a + b, 0);
    const eventBytes = streams.reduce((a, [, b]) => a + b, 0) / Math.max(1, eventEntries);
    const jobs = full.jobs;
    rows.push({
      measure: `Redis kept by one group's cycle + perfect run (${jobs.length} completed jobs)`, value: kb(retained),
      target: `${(retained / jobs.length).toFixed(0)} B a kept job`,
    });
    const kept = `kept ${cfg.removeOnCompleteAgeSec / 3600} h`;
    rows.push({ measure: `  × ${DEPLOYMENT.groups.toLocaleString('en')} groups (a night's jobs, ${kept})`, value: mb(retained * DEPLOYMENT.groups) });
    rows.push({
      measure: `  event streams: per event; capped at 10,000 events a queue`, value: `${eventBytes.toFixed(0)} B`,
      target: `at most ${mb(eventBytes * 10_000 * 4)} for the 4 queues`,
    });
    const largest = [...after].filter(([k]) => !k.endsWith(':events')).sort((a, b) => b[1] - a[1]).slice(0, 3);
    for (const [k, b] of largest) rows.push({ measure: `  largest key: ${k}`, value: kb(b) });

    // --- PostgreSQL size of potential_matches
    const { rows: sizes } = await env.pool.query<{ what: string; bytes: string }>(`
      SELECT 'heap' AS what, pg_relation_size('potential_matches') AS bytes
      UNION ALL SELECT 'toast', COALESCE(pg_total_relation_size(reltoastrelid), 0) FROM pg_class WHERE oid = 'potential_matches'::regclass
      UNION ALL SELECT 'index ' || indexrelid::regclass::text || ' (' || pg_get_indexdef(indexrelid) || ')', pg_relation_size(indexrelid)
        FROM pg_index WHERE indrelid = 'potential_matches'::regclass
      UNION ALL SELECT 'nodes (anchor)', pg_total_relation_size('nodes')`);
    const { rows: [{ n }] } = await env.pool.query<{ n: string }>('SELECT count(*) AS n FROM potential_matches');
    const matchRows = Number(n);
    const total = sizes.filter((s) => s.what !== 'nodes (anchor)').reduce((a, s) => a + Number(s.bytes), 0);
    const nodesBytes = Number(sizes.find((s) => s.what === 'nodes (anchor)')!.bytes);
    rows.push({ measure: `anchor: nodes table with its indexes, per node`, value: `${(nodesBytes / GROUP_NODES).toFixed(0)} B` });
    rows.push({
      measure: `potential_matches per node at K = 100 (${matchRows.toLocaleString('en')} rows)`, value: `${(total / GROUP_NODES).toFixed(0)} B`,
      target: `${(total / nodesBytes).toFixed(2)} × anchor; ${(total / matchRows).toFixed(0)} B a row`,
    });
    for (const s of sizes.filter((x) => x.what !== 'nodes (anchor)')) {
      rows.push({ measure: `  ${s.what.replace(/ ON [^ ]+ USING btree/, '')}`, value: `${(Number(s.bytes) / GROUP_NODES).toFixed(0)} B` });
    }
    rows.push({ measure: `  × ${DEPLOYMENT.nodes.toLocaleString('en')} nodes`, value: gb((total / GROUP_NODES) * DEPLOYMENT.nodes) });

    // --- a nightly (incremental) cycle: NEW_SHARE of the group is new
    const fresh = Math.round(GROUP_NODES * NEW_SHARE);
    await insertNodes(env.pool, group, syntheticPeople({ count: fresh, seed: 2029, prefix: 'n' }));
    await env.pool.query('ANALYZE nodes');
    const nightly = await measuredRun(env, group, workers[0], appName, true);

    // --- worker time per job kind, and workers for the nightly window
    const runs = [
      [`full cycle of ${GROUP_NODES.toLocaleString('en')} nodes`, full],
      [`incremental cycle, ${fresh} new nodes (${NEW_SHARE * 100} %)`, nightly],
    ] as const;
    for (const [label, r] of runs) {
      rows.push({ measure: `${label} + perfect run, 1 worker × 1 job, wall`, value: `${r.seconds.toFixed(1)} s`,
        target: `CPU: worker ${r.workerCpu.toFixed(1)} s, its PostgreSQL sessions ${r.backendCpu.toFixed(1)} s` });
      for (const [name, k] of [...r.perKind.entries()].sort()) {
        rows.push({ measure: `  ${name}: ${k.n} job(s)`, value: `${(k.ms / k.n / 1000).toFixed(2)} s each`, target: `${(k.ms / 1000).toFixed(1)} s in all` });
      }
      const slotSeconds = r.workerSeconds * DEPLOYMENT.groups;
      rows.push({
        measure: `  × ${DEPLOYMENT.groups.toLocaleString('en')} groups: job-slot time; CPU of workers, of PostgreSQL`,
        value: `${(slotSeconds / 3600).toFixed(1)} h`,
        target: `${((r.workerCpu * DEPLOYMENT.groups) / 3600).toFixed(2)} h, ${((r.backendCpu * DEPLOYMENT.groups) / 3600).toFixed(2)} h; ` +
          `${Math.ceil(slotSeconds / (WINDOW_HOURS * 3600))} job slot(s) for a ${WINDOW_HOURS} h window`,
      });
    }
    const load = loadavg().map((x) => x.toFixed(2)).join(', ');
    rows.push({ measure: 'machine', value: '', target: `${availableParallelism()} cores, load average after ${load}` });
    printTable(rows);
  } finally {
    for (const w of workers) {
      if (w.exitCode === null) {
        const exited = new Promise((r) => w.once('exit', r));
        w.kill('SIGTERM');
        await exited;
      }
    }
    await closeCycleQueues();
    admin.disconnect();
    await env.cleanup();
    await server.kill();
    rmSync(root, { recursive: true, force: true });
  }
}

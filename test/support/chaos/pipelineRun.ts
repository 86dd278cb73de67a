// One full pipeline (CSV import → potential cycle → perfect matches) over several groups, on
// `matchflow worker` processes against the suite's private PostgreSQL and Redis, each run in a
// schema and queue prefix of its own. The test process plays the producer: it enqueues the
// imports and starts one cycle per group; finalize-group enqueues the perfect stage.
// Used by the chaos suite (with faults), the horizontal-scale test (with 1, 2, 4 workers) and the
// Redis topology tests (on a local Redis Cluster or Sentinel deployment instead of one server).
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Queue } from 'bullmq';
import { enqueueImport } from '../../../src/import/enqueueImport.ts';
import { getImportJob } from '../../../src/import/importJobs.ts';
import { startCycle } from '../../../src/potential/startCycle.ts';
import { closeCycleQueues, fetchJobId, potentialQueue } from '../../../src/potential/cycleJobs.ts';
import { configureGroup, resolveDomain, resolveGroup, type MatchType } from '../../../src/groups/catalog.ts';
import { loadConfig, type Config } from '../../../src/shared/config.ts';
import { coordinationContext } from '../../../src/shared/coordination/context.ts';
import { inspectCoordination } from '../../../src/shared/coordination/inspect.ts';
import { createPool, type Pool } from '../../../src/shared/db.ts';
import { migrate } from '../../../src/shared/migrate.ts';
import { openQueue } from '../../../src/shared/queue.ts';
import { QUEUE } from '../../../src/shared/queues.ts';
import { createRedis } from '../../../src/shared/redis.ts';
import { syntheticPeople } from '../../../src/synthetic/people.ts';
import { startPrivatePostgres, type PrivatePostgres } from './privatePostgres.ts';
import { startPrivateRedis, type PrivateRedis } from './privateRedis.ts';
import { startLocalCluster, type LocalCluster, type LocalClusterOptions } from '../redis/localCluster.ts';
import { startLocalSentinel, type LocalSentinel } from '../redis/localSentinel.ts';
import { snapshotTables, type TablesSnapshot } from './tableSnapshot.ts';
import { WorkerFleet } from './workerFleet.ts';
import { provisionWorkerRole } from '../workerRole.ts';

export interface ChaosCluster {
  pg: PrivatePostgres;
  /** the Redis server, when the runs use a single one */
  redis?: PrivateRedis;
  /** the Redis Cluster, when the runs use one */
  redisCluster?: LocalCluster;
  /** the Sentinel deployment, when the runs use one */
  redisSentinel?: LocalSentinel;
  /** the REDIS_* settings that point at whichever of the three it is */
  redisEnv: Record<string, string>;
  importRoot: string;
  stop(): Promise<void>;
}

export type ChaosRedisTopology = { kind: 'single' } | ({ kind: 'cluster' } & LocalClusterOptions) | { kind: 'sentinel' };

export async function startChaosCluster(topology: ChaosRedisTopology = { kind: 'single' }): Promise<ChaosCluster> {
  const pg = await startPrivatePostgres();
  const importRoot = mkdtempSync(join(tmpdir(), 'mf-chaos-import-'));
  const servers: Pick<ChaosCluster, 'redis' | 'redisCluster' | 'redisSentinel' | 'redisEnv'> = { redisEnv: {} };
  try {
    if (topology.kind === 'cluster') {
      servers.redisCluster = await startLocalCluster(topology);
      servers.redisEnv = servers.redisCluster.env;
    } else if (topology.kind === 'sentinel') {
      servers.redisSentinel = await startLocalSentinel();
      servers.redisEnv = servers.redisSentinel.env;
    } else {
      servers.redis = await startPrivateRedis();
      servers.redisEnv = { REDIS_URL: servers.redis.url };
    }
  } catch (err) {
    await pg.stop();
    throw err;
  }
  return {
    pg, importRoot, ...servers,
    async stop() {
      await servers.redis?.stop();
      await servers.redisCluster?.stop();
      await servers.redisSentinel?.stop();
      await pg.stop();
      rmSync(importRoot, { recursive: true, force: true });
    },
  };
}

export interface GroupInput {
  domain: string;
  group: string;
  matchType: MatchType;
  params: Record<string, unknown>;
  file: string;
  rows: number;
}

/**
 * `groups` groups over `domains` domains, `nodes` people each, written as CSV files under the
 * import root. Flat candidates: their top-K does not depend on how pages are cut, so two runs
 * of the same input must give the same rows whatever the timing. Every third group is bipartite.
 */
export function writeInput(cluster: ChaosCluster, opts: { groups: number; domains: number; nodes: number; seed?: number }): GroupInput[] {
  const out: GroupInput[] = [];
  for (let g = 0; g < opts.groups; g++) {
    const bipartite = g % 3 === 2;
    const lines = ['reference_id,type,industry,city,skills,years,seniority'];
    const types: Array<[string, number]> | undefined = bipartite ? [['MENTOR', 0.4], ['MENTEE', 0.6]] : undefined;
    for (const p of syntheticPeople({ count: opts.nodes, seed: (opts.seed ?? 7) * 1000 + g, prefix: `g${g}`, types })) {
      const m = p.metadata;
      lines.push([p.referenceId, p.type, m.industry, m.city, m.skills, m.years_experience, m.seniority].map(csvField).join(','));
    }
    const file = `group-${g}.csv`;
    writeFileSync(join(cluster.importRoot, file), lines.join('\n') + '\n');
    out.push({
      domain: `domain-${g % opts.domains}`, group: `group-${g}`, matchType: bipartite ? 'BIPARTITE' : 'SYMMETRIC',
      params: bipartite
        ? { candidateStrategy: 'bipartite', partitionKey: 'type', leftValues: ['MENTOR'], rightValues: ['MENTEE'], topK: 8 }
        : { candidateStrategy: 'flat', topK: 8 }, file, rows: opts.nodes,
    });
  }
  return out;
}

function csvField(v: unknown): string {
  const s = String(v ?? '');
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export interface RunOptions {
  tag: string;
  workers: number;
  /** settings given to the workers and used by the driver */
  env?: NodeJS.ProcessEnv;
  logFile?: string;
  /** started once the workers run; the run waits for it after the pipeline finished */
  disturb?: (ctx: RunContext) => Promise<void>;
  timeoutMs?: number;
  /** cycles started again after one failed, as the next tick would (default 2 per group) */
  maxReruns?: number;
}

export interface RunContext {
  fleet: WorkerFleet;
  cluster: ChaosCluster;
  /** the run's configuration (its schema and queue prefix) */
  cfg: Config;
  /** true once every group has its perfect matches: stop disturbing */
  done(): boolean;
}

export interface RunResult {
  snapshot: TablesSnapshot;
  /** what is wrong besides the tables (stuck jobs, held locks, lost or doubly processed nodes) */
  problems: string[];
  elapsedMs: number;
  pipelineMs: number;
  nodes: number;
  workersStarted: number;
  workersSelfExited: number;
  /** why cycles had to run again */
  reruns: string[];
}

/** Settings that let a killed worker's jobs be retried within seconds rather than half a minute. */
export const FAST_RECOVERY_ENV: NodeJS.ProcessEnv = {
  WORKER_LOCK_DURATION_MS: '4000',
  WORKER_STALLED_INTERVAL_MS: '1000',
  WORKER_CONCURRENCY: '2',
  NODE_FETCH_BATCH_SIZE: '150',
  MATCH_MAX_RETRIES: '10',
  MATCH_RETRY_DELAY_MILLIS: '250',
  GROUP_LOCK_TTL_MS: '20000',
  DOMAIN_SEMAPHORE_TTL_MS: '20000',
  POTENTIAL_PERMIT_RETRY_MS: '300',
  DB_CONNECTION_TIMEOUT_MS: '5000',
  SHUTDOWN_TIMEOUT_MS: '2000',
  MATCHING_TOPK_COUNT: '8',
};

async function retrying<T>(what: string, f: () => Promise<T>, deadline: number): Promise<T> {
  for (;;) {
    try {
      return await f();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Polls `f` (whose errors, e.g. while a server restarts, count as "not yet") until truthy. */
async function until<T>(what: string, f: () => Promise<T | null | undefined | false>, deadline: number, everyMs = 200): Promise<T> {
  let last = '';
  for (;;) {
    try {
      const v = await f();
      if (v) return v;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function runPipeline(cluster: ChaosCluster, input: GroupInput[], opts: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const deadline = started + (opts.timeoutMs ?? 240000);
  const schema = `run_${opts.tag}`;
  const prefix = `chaos-${opts.tag}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env, ...FAST_RECOVERY_ENV, ...opts.env,
    DB_SCHEMA: schema, QUEUE_PREFIX: prefix, IMPORT_ROOT: cluster.importRoot, LOG_LEVEL: opts.logFile ? 'warn' : 'silent',
    DATABASE_URL: cluster.pg.url, ...cluster.redisEnv, NODE_ENV: 'test',
  };
  const cfg: Config = loadConfig(env);
  const pool: Pool = createPool(cfg, { max: 4 });
  const redis = createRedis(cfg);
  redis.on('error', () => undefined);
  let importQueue: Queue | undefined;
  await migrate(pool, schema);
  // the workers connect as the schema's least-privileged worker role, never as the owner
  const role = await provisionWorkerRole(pool, schema, cluster.pg.url);
  const fleet = new WorkerFleet({
    size: opts.workers, pgPort: cluster.pg.port, redisPort: cluster.redis?.port, logFile: opts.logFile, restartOnExit: true,
    env: { ...env, DATABASE_URL: role.url },
  });
  let finished = false;
  let disturbing: Promise<void> = Promise.resolve();
  let disturbError: Error | undefined;
  try {
    const groups = new Map<string, { id: string; domainId: string; rows: number }>();
    for (const g of input) {
      const domainId = (await resolveDomain(pool, g.domain, true))!;
      const row = (await resolveGroup(pool, domainId, g.group, { matchType: g.matchType }))!;
      await configureGroup(pool, row, { algorithmId: g.matchType === 'BIPARTITE' ? 'assignment' : 'blossom', params: g.params });
      groups.set(g.group, { id: row.id, domainId, rows: g.rows });
    }
    await fleet.start();
    // throughput counts from the moment every worker serves its queues (tsx start-up excluded)
    const perfectQueue = openQueue(cfg, QUEUE.perfect);
    await until('workers to be ready', async () => (await perfectQueue.getWorkersCount()) >= opts.workers, deadline)
      .finally(() => perfectQueue.close());
    // a fault that could not be injected (a server that did not come back) is a finding too
    disturbing = opts.disturb
      ? opts.disturb({ fleet, cluster, cfg, done: () => finished }).catch((err) => { disturbError = err as Error; })
      : Promise.resolve();
    const pipelineStart = Date.now();

    // imports: the request key makes a retried enqueue (Redis or PostgreSQL restarting) add nothing
    importQueue = openQueue(cfg, QUEUE.import);
    const imports = new Map<string, string>();
    for (const g of input) {
      const e = await retrying(`enqueue import of ${g.group}`, () => enqueueImport({ cfg, pool, queue: importQueue! },
        { domain: g.domain, group: g.group, source: { kind: 'file', path: g.file }, fileName: g.file, requestKey: `${opts.tag}-${g.group}` }), deadline);
      imports.set(g.group, e.importJobId);
    }
    for (const [group, id] of imports) {
      const job = await until(`import of ${group}`, async () => {
        const j = await getImportJob(pool, id);
        return j && (j.status === 'COMPLETED' || j.status === 'FAILED') ? j : null;
      }, deadline);
      if (job.status !== 'COMPLETED') throw new Error(`import of ${group} ${job.status}: ${JSON.stringify(job)}`);
    }

    // one incremental cycle per group, as the scheduler starts them; the id makes a retry idempotent
    const cycles = new Map<string, string>();
    const cycleIdOf = (g: GroupInput, attempt: number) =>
      `00000000-0000-4000-8${String(attempt).padStart(3, '0')}-${String(input.indexOf(g)).padStart(12, '0')}`;
    for (const g of input) {
      const grp = groups.get(g.group)!;
      const cycleId = cycleIdOf(g, 0);
      await retrying(`start cycle of ${g.group}`, () => startCycle(cfg, grp, { incremental: true, cycleId }), deadline);
      cycles.set(g.group, cycleId);
    }
    const reruns: string[] = [];
    for (const g of input) {
      const grp = groups.get(g.group)!;
      let cycleId = cycles.get(g.group)!;
      for (let attempt = 0; ; attempt++) {
        const potential = await until(`potential cycle of ${g.group}`, async () => {
          const { rows } = await pool.query(
            'SELECT status, failure_reason FROM last_run_potential_matches WHERE group_id = $1 AND processing_cycle_id = $2', [grp.id, cycleId]);
          if (rows[0] && rows[0].status !== 'PENDING') return rows[0];
          // a first page that failed for good means a cycle that never starts: say so at once
          const first = await potentialQueue(cfg).getJob(fetchJobId(cycleId, 'N', 0));
          if (first?.failedReason && (await first.isFailed())) return { status: 'NEVER STARTED', failure_reason: `first page failed: ${first.failedReason}` };
          const skipped = (first?.returnvalue as { skipped?: string } | null | undefined)?.skipped;
          if (skipped) return { status: 'NEVER STARTED', failure_reason: `first page skipped the cycle: ${skipped}` };
          return null;
        }, deadline);
        if (potential.status === 'COMPLETED') break;
        // What the next scheduler tick does for a group whose cycle failed (its nodes are still
        // unprocessed): start another. A PostgreSQL crash empties the UNLOGGED staging (migration
        // 020), so a cycle running through an immediate restart fails by design and runs again.
        const why = `${g.group} cycle ${potential.status}: ${potential.failure_reason}`;
        if (attempt >= (opts.maxReruns ?? 2)) throw new Error(why);
        reruns.push(why);
        cycleId = cycleIdOf(g, attempt + 1);
        await retrying(`restart cycle of ${g.group}`, () => startCycle(cfg, grp, { incremental: true, cycleId }), deadline);
        cycles.set(g.group, cycleId);
      }
      const perfect = await until(`perfect run of ${g.group}`, async () => {
        const { rows } = await pool.query(
          'SELECT status, failure_reason FROM last_run_perfect_matches WHERE group_id = $1 AND potential_cycle_id = $2', [grp.id, cycleId]);
        return rows[0] && rows[0].status !== 'PENDING' ? rows[0] : null;
      }, deadline);
      if (perfect.status !== 'COMPLETED') throw new Error(`perfect run of ${g.group} ${perfect.status}: ${perfect.failure_reason}`);
    }
    const pipelineMs = Date.now() - pipelineStart;
    finished = true;
    await disturbing;

    const problems = await quiescenceProblems(cfg, pool, redis, groups, cycles, deadline);
    if (disturbError) problems.push(`fault injection failed: ${disturbError.message}`);
    const snapshot = await retrying('snapshot', () => snapshotTables(pool), deadline);
    return {
      snapshot, problems, elapsedMs: Date.now() - started, pipelineMs, nodes: input.reduce((a, g) => a + g.rows, 0),
      workersStarted: fleet.started, workersSelfExited: fleet.selfExits, reruns,
    };
  } catch (err) {
    throw disturbError ? new Error(`${(err as Error).message}; fault injection failed: ${disturbError.message}`) : err;
  } finally {
    finished = true;
    await disturbing;
    await fleet.stop();
    await importQueue?.close().catch(() => undefined);
    await closeCycleQueues().catch(() => undefined);
    redis.disconnect();
    await role.drop();
    await pool.end().catch(() => undefined);
  }
}

/**
 * After the pipeline: every queue drains (no job left active, waiting, delayed or in
 * waiting-children), no lock or permit stays held, every node is there once and processed, and
 * each node took part in its cycle once.
 */
async function quiescenceProblems(cfg: Config, pool: Pool, redis: ReturnType<typeof createRedis>,
  groups: Map<string, { id: string; domainId: string; rows: number }>, cycles: Map<string, string>, deadline: number): Promise<string[]> {
  const problems: string[] = [];
  const queues = [QUEUE.import, QUEUE.potential, QUEUE.perfect].map((q) => openQueue(cfg, q));
  const settle = Math.min(deadline, Date.now() + 30000);
  try {
    // a job of a killed worker stays active until a stalled check (WORKER_STALLED_INTERVAL_MS) moves it
    const pending = (q: Queue) => q.getJobCounts('active', 'waiting', 'delayed', 'waiting-children', 'prioritized');
    const counts = await until('queues to drain', async () => {
      const all = await Promise.all(queues.map(async (q) => ({ q: q.name, c: await pending(q) })));
      return all.every((x) => Object.values(x.c).every((n) => n === 0)) ? all : null;
    }, settle, 250).catch(async (err) => {
      const all = await Promise.all(queues.map(async (q) => `${q.name} ${JSON.stringify(await pending(q))}`));
      problems.push(`jobs left: ${all.join('; ')} (${(err as Error).message})`);
      return null;
    });
    void counts;
    const ctx = coordinationContext(cfg, redis);
    const held = await until('holds to be released', async () => {
      const s = await inspectCoordination(ctx);
      const h = [...s.locks.map((l) => `lock ${l.name}`), ...s.semaphores.flatMap((x) => x.holders.map((hh) => `permit of ${x.name} (${JSON.stringify(hh)})`))];
      return h.length === 0 ? [] : null;
    }, Math.min(deadline, Date.now() + 5000), 250).catch(async () => {
      const s = await inspectCoordination(ctx);
      return [...s.locks.map((l) => `lock ${l.name}`), ...s.semaphores.flatMap((x) => x.holders.map((hh) => `permit of ${x.name} (${JSON.stringify(hh)})`))];
    });
    if (held.length) problems.push(`held: ${held.join(', ')}`);
    for (const [name, g] of groups) {
      const { rows: [n] } = await pool.query(
        `SELECT count(*)::int AS nodes, count(DISTINCT reference_id)::int AS refs, count(*) FILTER (WHERE NOT processed)::int AS unprocessed
         FROM nodes WHERE group_id = $1`, [g.id]);
      if (n.nodes !== g.rows || n.refs !== g.rows) problems.push(`${name}: ${n.nodes} nodes (${n.refs} reference ids), expected ${g.rows}`);
      if (n.unprocessed) problems.push(`${name}: ${n.unprocessed} nodes not processed`);
      const { rows: [p] } = await pool.query(
        `SELECT count(*)::int AS rows, count(DISTINCT node_id)::int AS nodes FROM match_participation_history WHERE group_id = $1 AND processing_cycle_id = $2`,
        [g.id, cycles.get(name)]);
      if (p.rows !== g.rows || p.nodes !== g.rows) problems.push(`${name}: participation ${p.rows} rows for ${p.nodes} nodes, expected ${g.rows} once each`);
      const { rows: [c] } = await pool.query('SELECT node_count FROM last_run_potential_matches WHERE group_id = $1', [g.id]);
      if (Number(c?.node_count) !== g.rows) problems.push(`${name}: the cycle counted ${c?.node_count} nodes, expected ${g.rows}`);
    }
  } finally {
    await Promise.all(queues.map((q) => q.close().catch(() => undefined)));
  }
  return problems;
}

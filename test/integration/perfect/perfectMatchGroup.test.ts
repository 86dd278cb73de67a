import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { QueueEvents, type Queue } from 'bullmq';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';
import { seedPotentialGroup, type SeededGroup } from '../../support/seedPotentialMatches.ts';
import { startWorkers, type WorkerPool } from '../../../src/workers/runtime.ts';
import { bullConnection, openQueue } from '../../../src/shared/queue.ts';
import { JOB, QUEUE } from '../../../src/shared/queues.ts';
import { runStrategy, type StrategyName } from '../../../src/matching/perfect/strategies.ts';
import { strategyOptionsFromConfig } from '../../../src/groups/groupSettings.ts';
import { loadConfig } from '../../../src/shared/config.ts';
import { totalScore } from '../../../src/matching/perfect/graph.ts';
import { perfectMatchGroup } from '../../../src/perfect/perfectMatchGroup.ts';
import { configureGroup } from '../../../src/groups/catalog.ts';

const CLI = fileURLToPath(new URL('../../../bin/matchflow.js', import.meta.url));

/** The optimum computed straight from the seeded rows, independently of the job's loader. */
function expectedTotal(seed: SeededGroup, strategy: StrategyName, bipartite: boolean): number {
  const opts = strategyOptionsFromConfig(loadConfig({}));
  const ids = new Map<string, number>();
  const id = (r: string) => ids.get(r) ?? (ids.set(r, ids.size), ids.size - 1);
  if (!bipartite) {
    const left: number[] = [], right: number[] = [], score: number[] = [];
    for (const [a, b, s] of seed.rows) { left.push(id(a)); right.push(id(b)); score.push(s); }
    const pairs = runStrategy(strategy, { bipartite: false, n: ids.size, left: Int32Array.from(left), right: Int32Array.from(right), score: Float64Array.from(score) }, opts);
    return totalScore(pairs);
  }
  const lIds = new Map<string, number>(), rIds = new Map<string, number>();
  const lid = (r: string) => lIds.get(r) ?? (lIds.set(r, lIds.size), lIds.size - 1);
  const rid = (r: string) => rIds.get(r) ?? (rIds.set(r, rIds.size), rIds.size - 1);
  const isLeft = (r: string) => Number(r.split('-').pop()) % 2 === 0;
  const left: number[] = [], right: number[] = [], score: number[] = [];
  for (const [a, b, s] of seed.rows) {
    const [l, r] = isLeft(a) ? [a, b] : [b, a];
    left.push(lid(l)); right.push(rid(r)); score.push(s);
  }
  const pairs = runStrategy(strategy, { bipartite: true, nLeft: lIds.size, nRight: rIds.size, left: Int32Array.from(left), right: Int32Array.from(right), score: Float64Array.from(score) }, opts);
  return totalScore(pairs);
}

async function perfectRows(t: TestEnv, groupId: string) {
  const { rows } = await t.pool.query(
    'SELECT reference_id, matched_reference_id, compatibility_score, processing_cycle_id FROM perfect_matches WHERE group_id = $1 ORDER BY 1, 2', [groupId]);
  return rows as Array<{ reference_id: string; matched_reference_id: string; compatibility_score: number; processing_cycle_id: string }>;
}

function checkOneToOne(rows: Array<{ reference_id: string; matched_reference_id: string }>) {
  const seen = new Set<string>();
  for (const r of rows) {
    expect(seen.has(r.reference_id), `${r.reference_id} matched twice`).to.equal(false);
    expect(seen.has(r.matched_reference_id), `${r.matched_reference_id} matched twice`).to.equal(false);
    seen.add(r.reference_id);
    seen.add(r.matched_reference_id);
  }
}

describe('perfect-match-group job', function () {
  this.timeout(120000);
  let t: TestEnv;
  let workers: WorkerPool | undefined;
  let queue: Queue;
  let events: QueueEvents;

  beforeEach(async () => {
    t = await createTestEnv('pmg', { overrides: { retryDelayMs: 100 } });
    queue = openQueue(t.cfg, QUEUE.perfect);
    events = new QueueEvents(QUEUE.perfect, { connection: bullConnection(t.cfg), prefix: t.cfg.queuePrefix });
    await events.waitUntilReady();
  });
  afterEach(async () => {
    await workers?.close(5000);
    workers = undefined;
    await events.close();
    await queue.close();
    await t.cleanup();
  });

  async function runJob(groupId: string, domainId: string, force = false, cfg = t.cfg) {
    workers ??= await startWorkers(cfg, { queues: [QUEUE.perfect], pool: t.pool, processors: { perfect: { [JOB.perfectMatchGroup]: perfectMatchGroup } } });
    const job = await queue.add(JOB.perfectMatchGroup, { groupId, domainId, force });
    return job.waitUntilFinished(events, 60000);
  }

  it('runs blossom on a symmetric group end to end and skips when nothing changed', async () => {
    const seed = await seedPotentialGroup(t.pool, { name: 'sym', matchType: 'SYMMETRIC', algorithmId: 'blossom', nodes: 300, edgesPerNode: 6 });
    const result = await runJob(seed.group.id, seed.group.domainId);
    expect(result.strategy).to.equal('blossom');
    const rows = await perfectRows(t, seed.group.id);
    checkOneToOne(rows);
    expect(rows.length).to.equal(result.pairs);
    const total = rows.reduce((a, r) => a + Number(r.compatibility_score), 0);
    expect(total).to.be.closeTo(expectedTotal(seed, 'blossom', false), 1e-6);
    expect(new Set(rows.map((r) => r.processing_cycle_id))).to.deep.equal(new Set([seed.cycleId]));
    const { rows: last } = await t.pool.query('SELECT status, node_count, potential_cycle_id, pair_count FROM last_run_perfect_matches WHERE group_id = $1', [seed.group.id]);
    expect(last[0]).to.include({ status: 'COMPLETED', potential_cycle_id: seed.cycleId, node_count: 300, pair_count: rows.length });
    const again = await runJob(seed.group.id, seed.group.domainId);
    expect(again.skipped).to.match(/nothing changed/);
  });

  it('runs optimal assignment on a bipartite group, left → right', async () => {
    const seed = await seedPotentialGroup(t.pool, { name: 'bip', matchType: 'BIPARTITE', algorithmId: 'assignment', nodes: 400, edgesPerNode: 5 });
    await runJob(seed.group.id, seed.group.domainId);
    const rows = await perfectRows(t, seed.group.id);
    checkOneToOne(rows);
    for (const r of rows) expect(Number(r.reference_id.split('-').pop()) % 2, 'left side first').to.equal(0);
    const total = rows.reduce((a, r) => a + Number(r.compatibility_score), 0);
    expect(total).to.be.closeTo(expectedTotal(seed, 'assignment', true), 1e-6);
  });

  it('a symmetric group over PERFECT_BLOSSOM_MAX_NODES runs greedy instead of blossom, and says so', async () => {
    const seed = await seedPotentialGroup(t.pool, { name: 'big', matchType: 'SYMMETRIC', algorithmId: 'blossom', nodes: 300, edgesPerNode: 6 });
    const result = await runJob(seed.group.id, seed.group.domainId, false, { ...t.cfg, perfectBlossomMaxNodes: 100 });
    expect(result.strategy).to.equal('greedy');
    expect(result.fallback).to.match(/300 nodes exceed PERFECT_BLOSSOM_MAX_NODES=100: ran greedy instead of blossom/);
    const rows = await perfectRows(t, seed.group.id);
    checkOneToOne(rows);
    const total = rows.reduce((a, r) => a + Number(r.compatibility_score), 0);
    expect(total).to.be.closeTo(expectedTotal(seed, 'greedy', false), 1e-6);
  });

  it('a bipartite group without side settings splits as the potential stage does (type MENTOR / MENTEE)', async () => {
    const seed = await seedPotentialGroup(t.pool, { name: 'mentoring', matchType: 'BIPARTITE', algorithmId: 'assignment', nodes: 200, edgesPerNode: 4 });
    await t.pool.query(`UPDATE nodes SET type = CASE type WHEN 'L' THEN 'MENTOR' ELSE 'MENTEE' END WHERE group_id = $1`, [seed.group.id]);
    await configureGroup(t.pool, seed.group, { algorithmId: 'assignment', params: {} });
    const result = await runJob(seed.group.id, seed.group.domainId);
    expect(result.pairs).to.be.greaterThan(0);
    const rows = await perfectRows(t, seed.group.id);
    for (const r of rows) expect(Number(r.reference_id.split('-').pop()) % 2, 'mentor side first').to.equal(0);
    const total = rows.reduce((a, r) => a + Number(r.compatibility_score), 0);
    expect(total).to.be.closeTo(expectedTotal(seed, 'assignment', true), 1e-6);
  });

  it('does nothing while the potential run is not COMPLETED', async () => {
    const seed = await seedPotentialGroup(t.pool, { name: 'pend', matchType: 'SYMMETRIC', algorithmId: 'greedy', nodes: 50, edgesPerNode: 3 });
    await t.pool.query("UPDATE last_run_potential_matches SET status = 'PENDING' WHERE group_id = $1", [seed.group.id]);
    const result = await runJob(seed.group.id, seed.group.domainId);
    expect(result.skipped).to.match(/PENDING/);
    expect(await perfectRows(t, seed.group.id)).to.have.length(0);
  });

  it('a worker SIGKILLed while the job runs leaves, after the retry, the same result as a clean run', async () => {
    const seed = await seedPotentialGroup(t.pool, { name: 'kill', matchType: 'SYMMETRIC', algorithmId: 'blossom', nodes: 3000, edgesPerNode: 8, seed: 11 });
    const env = { ...t.env, METRICS_PORT: '0', LOG_LEVEL: process.env.KILL_TEST_LOG ? 'info' : 'silent', WORKER_LOCK_DURATION_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000', MATCH_RETRY_DELAY_MILLIS: '100' };
    const startWorker = (): ChildProcess => spawn(process.execPath, [CLI, 'worker', '--queues', 'perfect'], { env, stdio: ['ignore', 'ignore', process.env.KILL_TEST_LOG ? 'inherit' : 'ignore'] });
    const first = startWorker();
    const job = await queue.add(JOB.perfectMatchGroup, { groupId: seed.group.id, domainId: seed.group.domainId });
    // Kill as soon as the job is past loading (the strategy or the write is under way).
    const deadline = Date.now() + 60000;
    for (;;) {
      const j = await queue.getJob(job.id!);
      if (Number(j?.progress ?? 0) >= 30) break;
      if (Date.now() > deadline) throw new Error('job never started');
      await new Promise((r) => setTimeout(r, 5));
    }
    first.kill('SIGKILL');
    const second = startWorker();
    try {
      const result = await job.waitUntilFinished(events, 90000);
      const rows = await perfectRows(t, seed.group.id);
      checkOneToOne(rows);
      expect(rows.length).to.equal(result.pairs);
      const total = rows.reduce((a, r) => a + Number(r.compatibility_score), 0);
      expect(total).to.be.closeTo(expectedTotal(seed, 'blossom', false), 1e-6);
      // and exactly what a clean, undisturbed run writes
      const clean = await runJob(seed.group.id, seed.group.domainId, true);
      expect(await perfectRows(t, seed.group.id)).to.deep.equal(rows);
      expect(clean.pairs).to.equal(rows.length);
    } finally {
      second.kill('SIGTERM');
      await new Promise((r) => second.once('exit', r));
    }
  });
});

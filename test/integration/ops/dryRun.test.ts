// --dry-run: `matchflow run potential|perfect --dry-run` computes everything and
// persists nothing — and what it reports is what the real run then writes.
import { expect } from 'chai';
import type { RedisClient } from '../../../src/shared/redis.ts';
import { dryRunPotential } from '../../../src/potential/dryRun.ts';
import { startCycle, waitForCycle } from '../../../src/potential/startCycle.ts';
import type { GroupRow } from '../../../src/groups/catalog.ts';
import { metrics } from '../../../src/shared/metrics.ts';
import { openQueue } from '../../../src/shared/queue.ts';
import { JOB, QUEUE, jobId } from '../../../src/shared/queues.ts';
import { createRedis } from '../../../src/shared/redis.ts';
import { syntheticPeople } from '../../../src/synthetic/people.ts';
import type { WorkerPool } from '../../../src/workers/runtime.ts';
import { insertNodes, makeGroup, matchesOf } from '../../support/potentialFixture.ts';
import { until } from '../../support/waitFor.ts';
import { createWorkerEnv, type WorkerEnv } from '../../support/workerEnv.ts';
import { runCli as cli } from '../../support/runCli.ts';


const TABLES = ['potential_matches', 'last_run_potential_matches', 'potential_cycles', 'potential_cycle_pages', 'nodes_cursor',
  'match_participation_history', 'perfect_matches', 'last_run_perfect_matches'];

describe('--dry-run', function () {
  this.timeout(180000);
  let env: WorkerEnv;
  let redis: RedisClient;
  let potentialWorkers: WorkerPool | undefined;
  let group: GroupRow;

  /** Every table a run writes, the nodes' processed flags, and the Redis keys under the prefix. */
  async function snapshot() {
    const out: Record<string, unknown> = {};
    for (const t of TABLES) out[t] = Number((await env.pool.query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n);
    out.processed = (await env.pool.query('SELECT count(*) FILTER (WHERE processed)::int AS p, count(*)::int AS n FROM nodes')).rows[0];
    out.redisKeys = (await redis.keys(`${env.prefix}:*`)).sort();
    return out;
  }
  const counter = async (c: typeof metrics.potentialMatchesSaved, groupId: string) =>
    (await c.get()).values.filter((v) => v.labels.groupId === groupId).reduce((a, v) => a + v.value, 0);

  before(async () => {
    // small pages and a small K: several row and column pages, and top-K evictions
    env = await createWorkerEnv('dryrun', { overrides: { topK: 4, nodeFetchBatchSize: 70 } });
    redis = createRedis(env.cfg);
    group = await makeGroup(env.pool, 'dry', { candidateStrategy: 'flat' });
    await insertNodes(env.pool, group, syntheticPeople({ count: 230, seed: 11, prefix: 'd' }));
  });
  after(async () => {
    redis?.disconnect();
    await env?.cleanup();
  });

  it('run potential --dry-run prints what a cycle would write and writes nothing', async () => {
    const before = await snapshot();
    // the CLI's configuration is the test's (small pages, K = 4)
    const r = await cli(['run', 'potential', '--group', group.id, '--dry-run'], { ...env.env, NODE_FETCH_BATCH_SIZE: '70', MATCHING_TOPK_COUNT: '4' });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/DRY RUN — nothing was written/);
    expect(r.stdout).to.match(/230 new nodes in 4 pages/);
    expect(r.stdout).to.match(/rows it would upsert +920 /);
    expect(r.stdout).to.match(/best edges:\n +d-\S+ → d-\S+ +score /);
    expect(await snapshot()).to.deep.equal(before);
  });

  it('a real cycle then writes exactly the rows and counts the dry run reported', async () => {
    const dry = await dryRunPotential(env.cfg, env.pool, group, { keepEdges: true });
    expect(dry).to.include({ mode: 'INCREMENTAL', newNodes: 230, existingNodes: 0, wouldWrite: 230 * 4 });
    expect(dry.generated).to.equal(dry.wouldWrite + dry.dropped);
    expect(dry.dropped).to.be.greaterThan(0);
    expect(dry.scores!.histogram.reduce((a, b) => a + b, 0)).to.equal(dry.wouldWrite);
    const generated0 = await counter(metrics.potentialMatchesGenerated, group.id);
    const drops0 = await counter(metrics.matchDrops, group.id);

    potentialWorkers = await env.startWorkers({ queues: [QUEUE.potential], concurrency: 2 });
    const cycleId = await startCycle(env.cfg, group);
    expect((await waitForCycle(env.cfg, env.pool, group.id, cycleId, 50, 60000)).status).to.equal('COMPLETED');
    expect(await matchesOf(env.pool, group.id)).to.deep.equal(dry.edges!.map((e) => `${e.referenceId}→${e.matchedReferenceId}=${e.score}`).sort());
    expect(await counter(metrics.potentialMatchesGenerated, group.id) - generated0).to.equal(dry.generated);
    expect(await counter(metrics.matchDrops, group.id) - drops0).to.equal(dry.dropped);
  });

  it('an incremental dry run (new × all, existing × new) reports what the incremental cycle upserts', async () => {
    await insertNodes(env.pool, group, syntheticPeople({ count: 50, seed: 12, prefix: 'e' }));
    const before = await snapshot();
    const dry = await dryRunPotential(env.cfg, env.pool, group);
    expect(await snapshot()).to.deep.equal(before);
    expect(dry).to.include({ mode: 'INCREMENTAL', newNodes: 50, existingNodes: 230 });
    expect(dry.pages).to.deep.equal({ new: 1, existing: 4 });
    const saved0 = await counter(metrics.potentialMatchesSaved, group.id);
    const generated0 = await counter(metrics.potentialMatchesGenerated, group.id);
    const cycleId = await startCycle(env.cfg, group);
    expect((await waitForCycle(env.cfg, env.pool, group.id, cycleId, 50, 60000)).status).to.equal('COMPLETED');
    expect(await counter(metrics.potentialMatchesSaved, group.id) - saved0).to.equal(dry.wouldWrite);
    expect(await counter(metrics.potentialMatchesGenerated, group.id) - generated0).to.equal(dry.generated);
    // nothing new now: the dry run says the cycle would be skipped
    expect((await dryRunPotential(env.cfg, env.pool, group)).skipped).to.equal('no new nodes');
    // --force: a full recompute, whose rows are the group's rows afterwards
    const full = await dryRunPotential(env.cfg, env.pool, group, { full: true });
    expect(full).to.include({ mode: 'FULL', newNodes: 280 });
    expect(full.rowsAfter).to.equal(full.wouldWrite);
  });

  it('run perfect --dry-run: a perfect worker computes the pairs and writes nothing; the real run writes the same', async () => {
    // the perfect jobs finalize-group enqueued are not run here
    const perfectQueue = openQueue(env.cfg, QUEUE.perfect);
    try {
      await perfectQueue.drain(true);
      await env.startWorkers({ queues: [QUEUE.perfect] });
      const before = await snapshot();
      const r = await cli(['run', 'perfect', '--group', group.id, '--dry-run'], env.env);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/DRY RUN — nothing was written. Perfect matches of group dry/);
      const pairs = Number(/pairs it would write +(\d+)/.exec(r.stdout)![1]);
      const total = Number(/total score +([\d.]+)/.exec(r.stdout)![1]);
      expect(pairs).to.be.greaterThan(0);
      const after = await snapshot();
      // the dry-run job's own BullMQ bookkeeping is all that changed
      expect({ ...after, redisKeys: undefined }).to.deep.equal({ ...before, redisKeys: undefined });

      const job = await perfectQueue.add(JOB.perfectMatchGroup, { groupId: group.id, domainId: group.domainId, force: true },
        { jobId: jobId('perfect', group.id, 'real') });
      await until('the perfect job to complete', async () => {
        const state = await job.getState();
        if (state === 'failed') throw new Error('perfect job failed');
        return state === 'completed';
      }, { timeoutMs: 60_000, everyMs: 100 });
      const { rows } = await env.pool.query('SELECT count(*)::int AS n, sum(compatibility_score) AS s FROM perfect_matches WHERE group_id = $1', [group.id]);
      expect(rows[0].n).to.equal(pairs);
      expect(Number(rows[0].s)).to.be.closeTo(total, 0.001);
    } finally {
      await perfectQueue.close();
    }
  });

  it('metadata (LSH) and bipartite groups: the dry run reports exactly the rows a full cycle writes', async () => {
    potentialWorkers ??= await env.startWorkers({ queues: [QUEUE.potential], concurrency: 2 });
    const lsh = await makeGroup(env.pool, 'dry-lsh', { candidateStrategy: 'metadata' });
    await insertNodes(env.pool, lsh, syntheticPeople({ count: 180, seed: 21, prefix: 'l' }));
    const bip = await makeGroup(env.pool, 'dry-bip', {}, 'BIPARTITE');
    await insertNodes(env.pool, bip, syntheticPeople({ count: 160, seed: 22, prefix: 'b', types: [['MENTOR', 0.4], ['MENTEE', 0.6]] }));
    for (const g of [lsh, bip]) {
      const dry = await dryRunPotential(env.cfg, env.pool, g, { full: true, keepEdges: true });
      expect(dry.wouldWrite, g.name).to.be.greaterThan(0);
      const cycleId = await startCycle(env.cfg, g, { incremental: false });
      expect((await waitForCycle(env.cfg, env.pool, g.id, cycleId, 50, 60000)).status, g.name).to.equal('COMPLETED');
      expect(await matchesOf(env.pool, g.id), g.name).to.deep.equal(dry.edges!.map((e) => `${e.referenceId}→${e.matchedReferenceId}=${e.score}`).sort());
      expect(dry.rowsAfter, g.name).to.equal(dry.wouldWrite);
    }
  });
});

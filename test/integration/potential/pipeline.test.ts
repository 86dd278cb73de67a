import { expect } from 'chai';
import { CompatibilityScorer } from '../../../src/matching/compatibilityScorer.ts';
import { encodePage, type NodeInput } from '../../../src/matching/encodedPage.ts';
import { potentialQueue } from '../../../src/potential/cycleJobs.ts';
import { getLastRun } from '../../../src/potential/cycleStore.ts';
import { finalizeGroup } from '../../../src/potential/finalizeGroup.ts';
import { logger } from '../../../src/shared/logger.ts';
import { createRedis } from '../../../src/shared/redis.ts';
import { startCycle, waitForCycle } from '../../../src/potential/startCycle.ts';
import { syntheticPeople } from '../../../src/synthetic/people.ts';
import { seededRandom } from '../../../src/synthetic/random.ts';
import { expectedRows, insertNodes, makeGroup, matchesOf, failChunkPairsOf } from '../../support/potentialFixture.ts';
import { createWorkerEnv, type WorkerEnv } from '../../support/workerEnv.ts';

const K = 15;

// finalize-group does no CPU work off the event loop
const NO_THREADS = { run: () => Promise.reject(new Error('no threads in this test')) };

describe('potential-match cycle (BullMQ flow, in-process workers)', function () {
  this.timeout(120000);
  let env: WorkerEnv;

  before(async () => {
    env = await createWorkerEnv('pot', { overrides: { nodeFetchBatchSize: 300, topK: K, retryDelayMs: 100 } });
    await env.startWorkers({ queues: ['potential'], concurrency: 2 });
  });
  after(async () => {
    await env?.cleanup();
  });

  it('a full flat run writes every node\'s exact top-K, directed, and completes the bookkeeping', async () => {
    const nodes = [...syntheticPeople({ count: 1000, seed: 3, prefix: 'f' })];
    const group = await makeGroup(env.pool, 'flat', { candidateStrategy: 'flat' });
    await insertNodes(env.pool, group, nodes);
    const cycleId = await startCycle(env.cfg, group, { incremental: false });
    const outcome = await waitForCycle(env.cfg, env.pool, group.id, cycleId);
    expect(outcome.status, JSON.stringify(outcome)).to.equal('COMPLETED');
    expect(await matchesOf(env.pool, group.id)).to.deep.equal(expectedRows(nodes, K));
    const { rows } = await env.pool.query(
      `SELECT (SELECT count(*)::int FROM nodes WHERE group_id = $1 AND processed) AS processed,
              (SELECT count(*)::int FROM match_participation_history WHERE group_id = $1 AND processing_cycle_id = $2) AS history,
              (SELECT count(*)::int FROM potential_cycle_pages WHERE cycle_id = $2) AS pages,
              (SELECT cursor_id FROM nodes_cursor WHERE group_id = $1) AS cursor`, [group.id, cycleId]);
    expect(rows[0]).to.include({ processed: 1000, history: 1000, pages: 0 });
    expect(rows[0].cursor).to.be.a('string');
    if (outcome.status === 'COMPLETED') expect(outcome.lastRun).to.include({ nodeCount: 1000 });
    // finalize delivered again (its worker died after commit): same bookkeeping, nothing lost
    const data = { cycleId, groupId: group.id, domainId: group.domainId, fencingToken: 0 };
    const job = { name: 'finalize-group', id: 'again', data, attemptsMade: 0, opts: {} };
    const redis = createRedis(env.cfg);
    try {
      const again = await finalizeGroup(job as never, { cfg: env.cfg, pool: env.pool, redis, log: logger(), threads: NO_THREADS });
      expect(again).to.deep.equal({ nodeCount: 1000, edgeCount: (await matchesOf(env.pool, group.id)).length });
    } finally {
      redis.disconnect();
    }
    expect(await getLastRun(env.pool, group.id)).to.include({ status: 'COMPLETED', nodeCount: 1000, cycleId });
  });

  it('an incremental run equals a full recompute of the same data', async () => {
    const all = [...syntheticPeople({ count: 1100, seed: 5, prefix: 'i' })];
    const inc = await makeGroup(env.pool, 'incremental', { candidateStrategy: 'flat' });
    const full = await makeGroup(env.pool, 'recompute', { candidateStrategy: 'flat' });
    await insertNodes(env.pool, inc, all.slice(0, 700));
    const first = await startCycle(env.cfg, inc);
    expect((await waitForCycle(env.cfg, env.pool, inc.id, first)).status).to.equal('COMPLETED');
    await insertNodes(env.pool, inc, all.slice(700));
    const second = await startCycle(env.cfg, inc);
    const out = await waitForCycle(env.cfg, env.pool, inc.id, second);
    expect(out.status).to.equal('COMPLETED');
    if (out.status === 'COMPLETED') expect(out.lastRun.nodeCount).to.equal(400);
    await insertNodes(env.pool, full, all);
    const re = await startCycle(env.cfg, full, { incremental: false });
    expect((await waitForCycle(env.cfg, env.pool, full.id, re)).status).to.equal('COMPLETED');
    const a = await matchesOf(env.pool, inc.id);
    expect(a).to.deep.equal(await matchesOf(env.pool, full.id));
    expect(a).to.deep.equal(expectedRows(all, K));
    // nothing new: the next incremental cycle is skipped
    const third = await startCycle(env.cfg, inc);
    expect(await waitForCycle(env.cfg, env.pool, inc.id, third)).to.deep.equal({ status: 'SKIPPED', reason: 'no new nodes' });
  });

  it('a full recompute drops the rows of nodes gone from the group; the last run counts the rows', async () => {
    const nodes = [...syntheticPeople({ count: 700, seed: 9, prefix: 'd' })];
    const group = await makeGroup(env.pool, 'departed', { candidateStrategy: 'flat' });
    await insertNodes(env.pool, group, nodes);
    const first = await startCycle(env.cfg, group, { incremental: false });
    expect((await waitForCycle(env.cfg, env.pool, group.id, first)).status).to.equal('COMPLETED');
    const gone = new Set(nodes.filter((_, i) => i % 7 === 0).map((n) => n.referenceId));
    await env.pool.query('DELETE FROM nodes WHERE group_id = $1 AND reference_id = ANY($2)', [group.id, [...gone]]);
    const second = await startCycle(env.cfg, group, { incremental: false });
    const out = await waitForCycle(env.cfg, env.pool, group.id, second);
    expect(out.status).to.equal('COMPLETED');
    const rows = await matchesOf(env.pool, group.id);
    expect(rows).to.deep.equal(expectedRows(nodes.filter((n) => !gone.has(n.referenceId)), K));
    if (out.status === 'COMPLETED') expect(out.lastRun).to.include({ nodeCount: 700 - gone.size, edgeCount: rows.length });
  });

  it('bipartite groups only pair left with right', async () => {
    const nodes = [...syntheticPeople({ count: 700, seed: 9, prefix: 'b', types: [['MENTOR', 0.4], ['MENTEE', 0.6]] })];
    const settings = { candidateStrategy: 'bipartite', partitionKey: 'type', leftValues: ['MENTOR'], rightValues: ['MENTEE'] } as const;
    const group = await makeGroup(env.pool, 'bipartite', settings, 'BIPARTITE');
    await insertNodes(env.pool, group, nodes);
    const cycleId = await startCycle(env.cfg, group, { incremental: false });
    expect((await waitForCycle(env.cfg, env.pool, group.id, cycleId)).status).to.equal('COMPLETED');
    expect(await matchesOf(env.pool, group.id)).to.deep.equal(expectedRows(nodes, K, { bipartite: true }));
  });

  it('the metadata (LSH) strategy completes with at most K rows per node, all exact scores', async () => {
    const nodes = [...syntheticPeople({ count: 900, seed: 11, prefix: 'l' })];
    const group = await makeGroup(env.pool, 'lsh', { candidateStrategy: 'metadata' });
    await insertNodes(env.pool, group, nodes);
    const cycleId = await startCycle(env.cfg, group, { incremental: false });
    expect((await waitForCycle(env.cfg, env.pool, group.id, cycleId)).status).to.equal('COMPLETED');
    const got = new Set(await matchesOf(env.pool, group.id));
    const { rows } = await env.pool.query(
      'SELECT max(c)::int AS most FROM (SELECT count(*) AS c FROM potential_matches WHERE group_id = $1 GROUP BY reference_id) x', [group.id]);
    expect(rows[0].most).to.be.at.most(K);
    // every LSH row is a real pair with its exact score; most of them are the flat top-K
    const all = new Set(expectedRows(nodes, K));
    const scorer = new CompatibilityScorer();
    const byRef = new Map(nodes.map((n) => [n.referenceId, n]));
    for (const row of [...got].slice(0, 200)) {
      const [, a, b, s] = /^(.*)→(.*)=(.*)$/.exec(row)!;
      const pa = encodePage([byRef.get(a)! as NodeInput]);
      const pb = encodePage([byRef.get(b)! as NodeInput]);
      expect(scorer.bind(pa, pb).score(0, 0)).to.equal(Number(s));
    }
    const shared = [...got].filter((r) => all.has(r)).length;
    expect(shared / all.size).to.be.greaterThan(0.8);
  });

  it('a chunk pair failing for good fails the group: FAILED marker, staging cleaned, lock released', async () => {
    const nodes = [...syntheticPeople({ count: 400, seed: 13, prefix: 'x' })];
    const group = await makeGroup(env.pool, 'failing', { candidateStrategy: 'flat' });
    await failChunkPairsOf(env.pool, group);
    await insertNodes(env.pool, group, nodes);
    const cycleId = await startCycle(env.cfg, group, { incremental: false });
    const outcome = await waitForCycle(env.cfg, env.pool, group.id, cycleId);
    expect(outcome.status).to.equal('FAILED');
    if (outcome.status === 'FAILED') expect(outcome.lastRun.failureReason).to.match(/build-chunk-pair.*not an encoded page/);
    expect(await matchesOf(env.pool, group.id)).to.deep.equal([]);
    const { rows } = await env.pool.query('SELECT count(*)::int AS n FROM potential_cycle_pages WHERE cycle_id = $1', [cycleId]);
    expect(rows[0].n).to.equal(0);
    // the lock was released: a new cycle of the group can start (and fails the same way)
    const again = await startCycle(env.cfg, group, { incremental: false });
    expect((await waitForCycle(env.cfg, env.pool, group.id, again)).status).to.equal('FAILED');
  });
});

describe('potential-match cycle over its memory budget', function () {
  this.timeout(120000);
  let env: WorkerEnv;

  before(async () => {
    // 16 MB budget, 2 jobs at once: column pages are scored in batches of at most 2 MB
    env = await createWorkerEnv('potmem', { overrides: { nodeFetchBatchSize: 100, topK: K, maxMemoryMb: 16, workerConcurrency: 2 } });
    await env.startWorkers({ queues: ['potential'], concurrency: 2 });
  });
  after(async () => {
    await env?.cleanup();
  });

  it('scores column pages out of core in batches and writes the same top-K', async () => {
    // 70 tags a node from 20,000: a heavy multi-valued key makes the pages large (~100 kB per 100 nodes)
    const rnd = seededRandom(5);
    const nodes = [...syntheticPeople({ count: 2400, seed: 17, prefix: 'm' })].map((n) => ({
      ...n, metadata: { ...n.metadata, tags: Array.from({ length: 70 }, () => `t${Math.floor(rnd() * 20000)}`).join(';') },
    }));
    const group = await makeGroup(env.pool, 'budget', { candidateStrategy: 'flat' });
    await insertNodes(env.pool, group, nodes);
    const cycleId = await startCycle(env.cfg, group, { incremental: false });
    expect((await waitForCycle(env.cfg, env.pool, group.id, cycleId)).status).to.equal('COMPLETED');
    expect(await matchesOf(env.pool, group.id)).to.deep.equal(expectedRows(nodes, K));
    const builds = (await potentialQueue(env.cfg).getJobs(['completed'], 0, -1)).filter((j) => j.name === 'build-chunk-pair');
    expect(builds).to.have.length(24);
    for (const b of builds) expect((b.returnvalue as { batches: number }).batches).to.be.greaterThan(1);
  });
});

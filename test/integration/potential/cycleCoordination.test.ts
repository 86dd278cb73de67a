// Issue 4, items 1 and 6, on the real servers: one cycle per group (Redis lock), at most
// MATCH_MAX_CONCURRENT_DOMAINS cycles at once (Redis counting semaphore), every flow child with
// failParentOnFailure and the 1 s / 2 s / 4 s back-off, and `matchflow run potential --group G
// --wait` as a user runs it.
import { expect } from 'chai';
import { potentialQueue } from '../../../src/potential/cycleJobs.ts';
import { startCycle, waitForCycle } from '../../../src/potential/startCycle.ts';
import { configureGroup, resolveDomain, resolveGroup, type GroupRow } from '../../../src/groups/catalog.ts';
import { coordinationContext } from '../../../src/shared/coordination/context.ts';
import { RESOURCE } from '../../../src/shared/coordination/keys.ts';
import { acquireLock, releaseLock } from '../../../src/shared/coordination/mutex.ts';
import type { Pool } from '../../../src/shared/db.ts';
import { openQueue } from '../../../src/shared/queue.ts';
import { defaultJobOptions, jobId, QUEUE } from '../../../src/shared/queues.ts';
import { createRedis } from '../../../src/shared/redis.ts';
import { syntheticPeople } from '../../../src/synthetic/people.ts';
import { expectedRows, insertNodes, makeGroup, matchesOf, failChunkPairsOf } from '../../support/potentialFixture.ts';
import { runCli } from '../../support/runCli.ts';
import { until } from '../../support/waitFor.ts';
import { createWorkerEnv, type WorkerEnv } from '../../support/workerEnv.ts';

const K = 10;

/** A group in a domain of its own (makeGroup puts every group in one domain). */
async function groupInDomain(pool: Pool, domain: string, name: string): Promise<GroupRow> {
  const domainId = (await resolveDomain(pool, domain, true))!;
  const group = (await resolveGroup(pool, domainId, name, { matchType: 'SYMMETRIC' }))!;
  await configureGroup(pool, group, { algorithmId: 'top-k', params: { candidateStrategy: 'flat' } });
  return group;
}

describe('potential cycles: group lock, domain semaphore, retries, CLI', function () {
  this.timeout(120000);
  let env: WorkerEnv;

  before(async () => {
    // one domain permit, so that two cycles can only run one after the other
    env = await createWorkerEnv('potcoord', {
      overrides: { nodeFetchBatchSize: 200, topK: K, maxConcurrentDomains: 1, cyclePermitRetryMs: 100 },
      workers: { queues: ['potential'], concurrency: 2 },
    });
  });
  after(async () => {
    await env?.cleanup();
  });

  it('a group whose cycle lock is held skips a new cycle; once released the cycle runs', async () => {
    const group = await makeGroup(env.pool, 'locked', { candidateStrategy: 'flat' });
    await insertNodes(env.pool, group, syntheticPeople({ count: 300, seed: 41, prefix: 'g' }));
    const redis = createRedis(env.cfg);
    try {
      const ctx = coordinationContext(env.cfg, redis, 'test');
      const held = await acquireLock(ctx, RESOURCE.groupCycle(group.id).name, { ttlMs: 60000, autoRefresh: false });
      expect(held).to.not.equal(null);
      const blocked = await startCycle(env.cfg, group, { incremental: false });
      expect(await waitForCycle(env.cfg, env.pool, group.id, blocked, 50, 30000))
        .to.deep.equal({ status: 'SKIPPED', reason: 'another cycle of the group is running' });
      await releaseLock(ctx, RESOURCE.groupCycle(group.id).name, held!.token);
      const next = await startCycle(env.cfg, group, { incremental: false });
      expect((await waitForCycle(env.cfg, env.pool, group.id, next, 50, 60000)).status).to.equal('COMPLETED');
    } finally {
      redis.disconnect();
    }
  });

  it('two cycles of one group started together: one runs, the other is skipped', async () => {
    const group = await makeGroup(env.pool, 'twice-at-once', { candidateStrategy: 'flat' });
    const nodes = [...syntheticPeople({ count: 1200, seed: 43, prefix: 'd' })];
    await insertNodes(env.pool, group, nodes);
    const [a, b] = await Promise.all([startCycle(env.cfg, group, { incremental: false }), startCycle(env.cfg, group, { incremental: false })]);
    const outs = await Promise.all([a, b].map((id) =>
      waitForCycle(env.cfg, env.pool, group.id, id, 50, 60000).catch((e) => ({ status: 'TIMEOUT', reason: String(e) }))));
    // the skipped one returns at once; the winner may still be running when it is polled: wait for it
    const statuses = outs.map((o) => o.status).sort();
    expect(statuses).to.deep.equal(['COMPLETED', 'SKIPPED']);
    expect(await matchesOf(env.pool, group.id)).to.deep.equal(expectedRows(nodes, K));
    const { rows } = await env.pool.query('SELECT count(*)::int AS n FROM potential_cycles WHERE group_id = $1', [group.id]);
    expect(rows[0].n).to.equal(1);
  });

  it('with one domain permit, cycles of two domains run one after the other, and both complete', async () => {
    const g1 = await groupInDomain(env.pool, 'sem-domain-1', 'g');
    const g2 = await groupInDomain(env.pool, 'sem-domain-2', 'g');
    await insertNodes(env.pool, g1, syntheticPeople({ count: 1000, seed: 45, prefix: 'p' }));
    await insertNodes(env.pool, g2, syntheticPeople({ count: 1000, seed: 46, prefix: 'q' }));
    const [c1, c2] = await Promise.all([startCycle(env.cfg, g1, { incremental: false }), startCycle(env.cfg, g2, { incremental: false })]);
    const [o1, o2] = await Promise.all([waitForCycle(env.cfg, env.pool, g1.id, c1, 50, 90000), waitForCycle(env.cfg, env.pool, g2.id, c2, 50, 90000)]);
    expect(o1.status).to.equal('COMPLETED');
    expect(o2.status).to.equal('COMPLETED');
    if (o1.status === 'SKIPPED' || o2.status === 'SKIPPED') return;
    // last run started_at = when the permit was taken, finished_at = before it was released
    const [first, second] = [o1.lastRun, o2.lastRun].sort((x, y) => x.startedAt!.getTime() - y.startedAt!.getTime());
    expect(second.startedAt!.getTime()).to.be.at.least(first.finishedAt!.getTime());
  });

  it('every flow child fails its parent on failure; jobs retry 3 times after 1 s, 2 s, 4 s', async () => {
    const opts = defaultJobOptions(env.cfg);
    expect(opts).to.include({ attempts: 4 });
    expect(opts.backoff).to.deep.equal({ type: 'exponential', delay: 1000 });
    const group = await makeGroup(env.pool, 'flow-options', { candidateStrategy: 'flat' });
    await insertNodes(env.pool, group, syntheticPeople({ count: 500, seed: 47, prefix: 'o' }));
    const cycleId = await startCycle(env.cfg, group, { incremental: false });
    expect((await waitForCycle(env.cfg, env.pool, group.id, cycleId, 50, 60000)).status).to.equal('COMPLETED');
    const jobs = (await potentialQueue(env.cfg).getJobs(['completed'], 0, -1)).filter((j) => (j.data as { cycleId: string }).cycleId === cycleId);
    const byName = (n: string) => jobs.filter((j) => j.name === n);
    expect(byName('build-chunk-pair')).to.have.length(3);
    expect(byName('fetch-page').length).to.be.at.least(3);
    for (const j of [...byName('build-chunk-pair'), ...byName('flush-group')]) {
      expect(j.opts.failParentOnFailure, `${j.name} ${j.id}`).to.equal(true);
      expect(j.parentKey, `${j.name} ${j.id}`).to.be.a('string');
    }
    for (const j of jobs) {
      expect(j.opts.attempts, j.name).to.equal(4);
      expect(j.opts.backoff, j.name).to.deep.equal({ type: 'exponential', delay: 1000 });
    }
    // finalize-group handed the group to the perfect stage
    const perfect = openQueue(env.cfg, QUEUE.perfect);
    try {
      // the run is marked COMPLETED inside finalize's transaction; the perfect job is added just after it
      const next = await until('finalize to add the perfect job', () => perfect.getJob(jobId('perfect', cycleId)), { timeoutMs: 10_000 });
      expect(next?.name).to.equal('perfect-match-group');
      expect(next?.data).to.deep.include({ groupId: group.id, domainId: group.domainId, potentialCycleId: cycleId });
    } finally {
      await perfect.close();
    }
  });

  it('a chunk pair that keeps failing is tried 4 times over ≥ 7 s of back-off, then fails the group', async function () {
    this.timeout(60000);
    const group = await makeGroup(env.pool, 'keeps-failing', { candidateStrategy: 'flat' });
    await failChunkPairsOf(env.pool, group);
    await insertNodes(env.pool, group, syntheticPeople({ count: 150, seed: 49, prefix: 'r' }));
    const t0 = Date.now();
    const cycleId = await startCycle(env.cfg, group, { incremental: false });
    const out = await waitForCycle(env.cfg, env.pool, group.id, cycleId, 50, 45000);
    expect(out.status).to.equal('FAILED');
    expect(Date.now() - t0).to.be.at.least(7000);
    // The FAILED marker is written by the failing job before BullMQ moves it to failed: poll.
    // Its parents are failed through failParentOnFailure instead of waiting for ever.
    const failedOfCycle = async () => (await potentialQueue(env.cfg).getJobs(['failed'], 0, -1))
      .filter((j) => (j.data as { cycleId: string }).cycleId === cycleId);
    const failed = await until('the cycle\'s three jobs failed', async () => {
      const f = await failedOfCycle();
      return f.length >= 3 && f;
    }, { timeoutMs: 10_000, everyMs: 100 });
    expect(failed.map((j) => j.name).sort()).to.deep.equal(['build-chunk-pair', 'finalize-group', 'flush-group']);
    expect(failed.find((j) => j.name === 'build-chunk-pair')!.attemptsMade).to.equal(4);
    expect(await matchesOf(env.pool, group.id)).to.deep.equal([]);
  });

  it('`matchflow run potential --group G --wait` runs a cycle and reports it; nothing new: skipped', async () => {
    const group = await makeGroup(env.pool, 'from-cli', { candidateStrategy: 'flat' });
    const nodes = [...syntheticPeople({ count: 400, seed: 51, prefix: 'c' })];
    await insertNodes(env.pool, group, nodes);
    const cliEnv = { ...env.env, NODE_FETCH_BATCH_SIZE: '200', MATCHING_TOPK_COUNT: String(K), DATABASE_URL: env.cfg.databaseUrl, REDIS_URL: env.cfg.redisUrl };
    const first = await runCli(['run', 'potential', '--group', 'from-cli', '--wait'], cliEnv);
    expect(first.status, first.stderr).to.equal(0);
    expect(first.stdout).to.match(/started incremental potential cycle/);
    expect(first.stdout).to.match(/COMPLETED in [\d.]+ s: 400 new nodes/);
    expect(await matchesOf(env.pool, group.id)).to.deep.equal(expectedRows(nodes, K));
    const again = await runCli(['run', 'potential', '--group', 'from-cli', '--wait'], cliEnv);
    expect(again.status, again.stderr).to.equal(0);
    expect(again.stdout).to.match(/skipped: no new nodes/);
    const forced = await runCli(['run', 'potential', '--group', 'from-cli', '--wait', '--force'], cliEnv);
    expect(forced.status, forced.stderr).to.equal(0);
    expect(forced.stdout).to.match(/started full potential cycle[\s\S]*COMPLETED/);
    const missing = await runCli(['run', 'potential', '--group', 'no-such-group', '--wait'], cliEnv);
    expect(missing.status).to.equal(2);
    expect(missing.stderr).to.match(/no group 'no-such-group'/);
  });
});

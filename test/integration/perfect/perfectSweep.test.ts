// The perfect-match sweep (PERFECT_CRON in `matchflow producer`) and the after-cycle trigger
// (PERFECT_AFTER_POTENTIAL): both enqueue a cycle's perfect run under the one job id of the cycle,
// so that the cycle's perfect run happens once, and the sweep re-runs only what failed for good.
import { expect } from 'chai';
import type { Job, Queue } from 'bullmq';
import { configureGroup } from '../../../src/groups/catalog.ts';
import { groupsDueForPerfect, lastPerfectRun, recordPerfectRun } from '../../../src/perfect/lastRuns.ts';
import { enqueuePerfectMatch } from '../../../src/perfect/perfectJobs.ts';
import { sweepPerfectRuns } from '../../../src/perfect/perfectSweep.ts';
import { finalizeJobId, potentialQueue } from '../../../src/potential/cycleJobs.ts';
import { startCycle, waitForCycle } from '../../../src/potential/startCycle.ts';
import { startPerfectScheduler, type PerfectScheduler } from '../../../src/producers/perfectScheduler.ts';
import { openQueue } from '../../../src/shared/queue.ts';
import { QUEUE } from '../../../src/shared/queues.ts';
import { syntheticPeople } from '../../../src/synthetic/people.ts';
import { insertNodes, makeGroup } from '../../support/potentialFixture.ts';
import { seedPotentialGroup } from '../../support/seedPotentialMatches.ts';
import { completedSince, until } from '../../support/waitFor.ts';
import { createWorkerEnv, type WorkerEnv } from '../../support/workerEnv.ts';

/** Every job of the perfect queue for a potential cycle, whatever its state. */
async function jobsOfCycle(queue: Queue, cycleId: string): Promise<Job[]> {
  const jobs = await queue.getJobs(['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed'], 0, -1);
  return jobs.filter((j) => (j.data as { potentialCycleId?: string }).potentialCycleId === cycleId);
}

async function perfectCompleted(env: WorkerEnv, groupId: string, cycleId: string) {
  return until(`the perfect run of cycle ${cycleId}`, async () => {
    const p = await lastPerfectRun(env.pool, groupId);
    return p?.potentialCycleId === cycleId && p.status === 'COMPLETED' && p;
  }, { timeoutMs: 60_000 });
}

describe('perfect-match sweep', function () {
  this.timeout(120_000);
  let env: WorkerEnv;
  let perfect: Queue;
  const schedulers: PerfectScheduler[] = [];

  before(async () => {
    env = await createWorkerEnv('sweep', { overrides: { topK: 10, retryDelayMs: 50, leaderLeaseTtlMs: 1500 } });
    perfect = openQueue(env.cfg, QUEUE.perfect);
  });
  after(async () => {
    for (const s of schedulers) await s.stop();
    await perfect?.close();
    await env?.cleanup();
  });

  it('finds the groups whose perfect result is missing, FAILED, PENDING or of an older potential cycle', async () => {
    const seed = (name: string) => seedPotentialGroup(env.pool, { name, matchType: 'SYMMETRIC', algorithmId: 'greedy', nodes: 20, edgesPerNode: 2 });
    const [missing, done, older, failed, pending, unfinished, inactive] = await Promise.all(
      ['missing', 'done', 'older', 'failed', 'pending', 'unfinished', 'inactive'].map(seed));
    const record = (s: typeof done, status: 'COMPLETED' | 'FAILED' | 'PENDING', cycleId = s.cycleId) => recordPerfectRun(env.pool, {
      groupId: s.group.id, domainId: s.group.domainId, status, cycleId, potentialCycleId: cycleId,
    });
    await record(done, 'COMPLETED');
    await record(older, 'COMPLETED', '00000000-0000-4000-8000-000000000000');
    await record(failed, 'FAILED');
    await record(pending, 'PENDING');
    await env.pool.query("UPDATE last_run_potential_matches SET status = 'PENDING' WHERE group_id = $1", [unfinished.group.id]);
    await env.pool.query('UPDATE matching_groups SET active = false WHERE id = $1', [inactive.group.id]);
    const due = await groupsDueForPerfect(env.pool);
    expect(due.map((g) => g.id).sort()).to.deep.equal([missing, older, failed, pending].map((s) => s.group.id).sort());
    expect(due.find((g) => g.id === older.group.id)).to.deep.include({ potentialCycleId: older.cycleId, domainId: older.group.domainId });
    // out of the way of the next tests' sweeps
    const ids = [missing, done, older, failed, pending, unfinished, inactive].map((s) => s.group.id);
    await env.pool.query('UPDATE matching_groups SET active = false WHERE id = ANY($1::uuid[])', [ids]);
  });

  it('a finalize and sweeps that enqueue the same cycle at once yield one job, run once', async () => {
    const seed = await seedPotentialGroup(env.pool, { name: 'once', matchType: 'SYMMETRIC', algorithmId: 'greedy', nodes: 200, edgesPerNode: 4 });
    const group = { id: seed.group.id, domainId: seed.group.domainId };
    // the finalize's enqueue and two sweeps at the same moment, before any worker runs
    const [, a, b] = await Promise.all([
      enqueuePerfectMatch(perfect, group, { potentialCycleId: seed.cycleId }), sweepPerfectRuns(env.pool, perfect), sweepPerfectRuns(env.pool, perfect),
    ]);
    expect([...a.added, ...a.present, ...b.added, ...b.present].filter((id) => id === group.id)).to.have.length(2);
    expect(await jobsOfCycle(perfect, seed.cycleId)).to.have.length(1);
    await env.startWorkers({ queues: ['potential', 'perfect'], concurrency: 2 });
    await perfectCompleted(env, group.id, seed.cycleId);
    // the group is no longer due, and another sweep adds nothing
    const again = await sweepPerfectRuns(env.pool, perfect);
    expect([...again.added, ...again.retried, ...again.present]).to.not.include(group.id);
    const jobs = await jobsOfCycle(perfect, seed.cycleId);
    expect(jobs).to.have.length(1);
    expect(jobs[0].attemptsStarted, 'the job ran once').to.equal(1);
    expect(jobs[0].returnvalue.skipped).to.equal(undefined);
  });

  it('a real cycle with the sweep ticking every second: one perfect job for the cycle, run once', async () => {
    const group = await makeGroup(env.pool, 'ticking', { candidateStrategy: 'flat' });
    await insertNodes(env.pool, group, syntheticPeople({ count: 300, seed: 4, prefix: 't' }));
    const sweep = await startPerfectScheduler(env.cfg, env.pool, { pattern: '* * * * * *' });
    schedulers.push(sweep);
    const cycleId = await startCycle(env.cfg, group);
    expect((await waitForCycle(env.cfg, env.pool, group.id, cycleId, 50, 60_000)).status).to.equal('COMPLETED');
    await perfectCompleted(env, group.id, cycleId);
    await completedSince(sweep.queue, Date.now(), 2, 'two more sweeps', { timeoutMs: 15_000 });
    const jobs = await jobsOfCycle(perfect, cycleId);
    expect(jobs).to.have.length(1);
    expect(jobs[0].attemptsStarted).to.equal(1);
    const sweeps = (await sweep.queue.getJobs(['completed'], 0, -1)).map((j) => j.returnvalue as { retried: string[] });
    expect(sweeps.length).to.be.greaterThan(1);
    expect(sweeps.flatMap((s) => s.retried)).to.not.include(group.id);
    await sweep.stop();
    schedulers.splice(schedulers.indexOf(sweep), 1);
  });

  it('a perfect run that failed for good is retried by the next sweep, under the same job id', async () => {
    const seed = await seedPotentialGroup(env.pool, { name: 'broken', matchType: 'SYMMETRIC', algorithmId: 'greedy', nodes: 100, edgesPerNode: 3 });
    // settings that do not parse fail the job at once (unrecoverable)
    await configureGroup(env.pool, seed.group, { algorithmId: 'greedy', params: { leftValues: 'not a list', candidateStrategy: 'bipartite' } });
    const job = await enqueuePerfectMatch(perfect, { id: seed.group.id, domainId: seed.group.domainId }, { potentialCycleId: seed.cycleId });
    await until('the job to fail', () => job.isFailed());
    await configureGroup(env.pool, seed.group, { algorithmId: 'greedy', params: {} });
    const swept = await sweepPerfectRuns(env.pool, perfect);
    expect(swept.retried).to.include(seed.group.id);
    await perfectCompleted(env, seed.group.id, seed.cycleId);
    const jobs = await jobsOfCycle(perfect, seed.cycleId);
    expect(jobs.map((j) => j.id)).to.deep.equal([job.id]);
    expect(await jobs[0].isCompleted()).to.equal(true);
  });
});

describe('perfect runs with PERFECT_AFTER_POTENTIAL off', function () {
  this.timeout(120_000);
  let env: WorkerEnv;
  let perfect: Queue;
  let sweep: PerfectScheduler | undefined;

  before(async () => {
    env = await createWorkerEnv('nightly', {
      overrides: { topK: 10, perfectAfterPotential: false, leaderLeaseTtlMs: 1500 }, workers: { queues: ['potential', 'perfect'], concurrency: 2 },
    });
    perfect = openQueue(env.cfg, QUEUE.perfect);
  });
  after(async () => {
    await sweep?.stop();
    await perfect?.close();
    await env?.cleanup();
  });

  it('a completed cycle enqueues no perfect run; the sweep on PERFECT_CRON does', async () => {
    const group = await makeGroup(env.pool, 'nightly', { candidateStrategy: 'flat' });
    await insertNodes(env.pool, group, syntheticPeople({ count: 200, seed: 6, prefix: 'n' }));
    const cycleId = await startCycle(env.cfg, group);
    expect((await waitForCycle(env.cfg, env.pool, group.id, cycleId, 50, 60_000)).status).to.equal('COMPLETED');
    // finalize-group enqueues the perfect run after its commit: wait for the job itself to complete
    await until('finalize-group to complete', async () => (await potentialQueue(env.cfg).getJob(finalizeJobId(cycleId)))?.isCompleted());
    expect(await jobsOfCycle(perfect, cycleId)).to.have.length(0);
    expect(await lastPerfectRun(env.pool, group.id)).to.equal(null);
    sweep = await startPerfectScheduler(env.cfg, env.pool, { pattern: '* * * * * *' });
    await until('the sweep to run the perfect stage', async () => {
      const p = await lastPerfectRun(env.pool, group.id);
      return p?.potentialCycleId === cycleId && p.status === 'COMPLETED';
    }, { timeoutMs: 60_000 });
    expect(await jobsOfCycle(perfect, cycleId)).to.have.length(1);
    const schedulers = await sweep.queue.getJobSchedulers();
    expect(schedulers[0]).to.include({ pattern: '* * * * * *', tz: env.cfg.cronZone });
  });
});

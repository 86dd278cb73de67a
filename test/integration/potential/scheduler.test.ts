import { expect } from 'chai';
import { fetchJobId, potentialQueue } from '../../../src/potential/cycleJobs.ts';
import { getLastRun } from '../../../src/potential/cycleStore.ts';
import { planCycles, startPotentialScheduler, tickCycleId, type PotentialScheduler } from '../../../src/producers/potentialScheduler.ts';
import { syntheticPeople } from '../../../src/synthetic/people.ts';
import { insertNodes, makeGroup } from '../../support/potentialFixture.ts';
import { completedSince, queueIsIdle, until } from '../../support/waitFor.ts';
import { createWorkerEnv, type WorkerEnv } from '../../support/workerEnv.ts';

describe('potential cycle scheduler (job scheduler + leader lease)', function () {
  this.timeout(60000);
  let env: WorkerEnv;
  const producers: PotentialScheduler[] = [];

  before(async () => {
    env = await createWorkerEnv('sched', { overrides: { leaderLeaseTtlMs: 1500, topK: 10 }, workers: { queues: ['potential'], concurrency: 2 } });
  });
  after(async () => {
    for (const p of producers) await p.stop();
    await env?.cleanup();
  });

  it('two producers on a cron of every 2 s yield one cycle per group with new nodes', async () => {
    const busy = await makeGroup(env.pool, 'scheduled', { candidateStrategy: 'flat' });
    const idle = await makeGroup(env.pool, 'nothing-new', { candidateStrategy: 'flat' });
    await insertNodes(env.pool, busy, syntheticPeople({ count: 300, seed: 1, prefix: 's' }));
    producers.push(await startPotentialScheduler(env.cfg, env.pool, { pattern: '*/2 * * * * *' }));
    producers.push(await startPotentialScheduler(env.cfg, env.pool, { pattern: '*/2 * * * * *' }));
    const run = await until('the scheduled cycle to complete', async () => {
      const r = await getLastRun(env.pool, busy.id);
      return r?.status === 'COMPLETED' ? r : null;
    });
    // two more ticks: nothing new, so nothing starts (planned, and whatever they enqueued has run)
    await completedSince(producers[0].queue, Date.now(), 2, 'two more ticks planned', { timeoutMs: 15_000 });
    await until('the potential queue to drain', () => queueIsIdle(potentialQueue(env.cfg)));
    const { rows } = await env.pool.query('SELECT cycle_id, group_id FROM potential_cycles');
    expect(rows).to.deep.equal([{ cycle_id: run.cycleId, group_id: busy.id }]);
    expect(await getLastRun(env.pool, idle.id)).to.equal(null);
    expect(producers.filter((p) => p.lease.isLeader())).to.have.length(1);
    const schedulers = await producers[0].queue.getJobSchedulers();
    expect(schedulers).to.have.length(1);
    // the seeds' cron runs in its configured zone (scheduling.potential-match.zone)
    expect(schedulers[0]).to.include({ pattern: '*/2 * * * * *', tz: env.cfg.cronZone });
  });

  it('a tick planned twice enqueues each cycle once', async () => {
    const group = await makeGroup(env.pool, 'twice', { candidateStrategy: 'flat' });
    await insertNodes(env.pool, group, syntheticPeople({ count: 50, seed: 2, prefix: 't' }));
    const a = await planCycles(env.cfg, env.pool, 'tick-42');
    const b = await planCycles(env.cfg, env.pool, 'tick-42');
    const id = tickCycleId('tick-42', group.id);
    expect(a).to.include(id);
    expect(b).to.deep.equal(a);
    expect(await potentialQueue(env.cfg).getJob(fetchJobId(id, 'N', 0))).to.not.equal(undefined);
    expect(tickCycleId('tick-43', group.id)).to.not.equal(id);
    expect(id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

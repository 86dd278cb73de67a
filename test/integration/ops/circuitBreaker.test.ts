// The group circuit breaker in the pipeline: failed cycles count, the scheduler
// skips a group whose breaker is open, lets one trial through once the open window has passed,
// and a completed cycle closes the breaker.
import { expect } from 'chai';
import type { RedisClient } from '../../../src/shared/redis.ts';
import { fetchJobId, potentialQueue } from '../../../src/potential/cycleJobs.ts';
import { waitForCycle } from '../../../src/potential/startCycle.ts';
import { failCycle } from '../../../src/potential/cycleJob.ts';
import { setLastRun, type CycleRow } from '../../../src/potential/cycleStore.ts';
import { planCycles, tickCycleId } from '../../../src/producers/potentialScheduler.ts';
import { configureGroup } from '../../../src/groups/catalog.ts';
import { breakerKey, readBreaker } from '../../../src/shared/circuitBreakerStore.ts';
import { metrics } from '../../../src/shared/metrics.ts';
import { createRedis } from '../../../src/shared/redis.ts';
import { syntheticPeople } from '../../../src/synthetic/people.ts';
import { insertNodes, makeGroup } from '../../support/potentialFixture.ts';
import { until } from '../../support/waitFor.ts';
import { createWorkerEnv, type WorkerEnv } from '../../support/workerEnv.ts';

const OPEN_MS = 4000;

describe('group circuit breaker in the potential pipeline', function () {
  this.timeout(90000);
  let env: WorkerEnv;
  let redis: RedisClient;
  /** until the open window of the group's breaker has passed */
  const windowPassed = (groupId: string) => until('the breaker\'s open window to pass', async () =>
    (await readBreaker(redis, env.cfg, groupId)).status !== 'open', { timeoutMs: OPEN_MS + 10_000 });

  before(async () => {
    // one quick retry per job: a broken group fails its cycle within a few milliseconds
    env = await createWorkerEnv('cbpipe', {
      overrides: { circuitBreakerOpenMs: OPEN_MS, circuitBreakerFailureThreshold: 5, maxRetries: 1, retryDelayMs: 10, topK: 5 },
      workers: { queues: ['potential'], concurrency: 2 },
    });
    redis = createRedis(env.cfg);
  });
  after(async () => {
    redis?.disconnect();
    await env?.cleanup();
  });

  it('5 failed cycles open the breaker: the 6th tick starts nothing; after the open window a trial runs and closes it', async () => {
    // an unknown scorer makes every fetch-page of the group fail for good
    const group = await makeGroup(env.pool, 'flaky', { candidateStrategy: 'flat', scorer: 'no-such-scorer' });
    await insertNodes(env.pool, group, syntheticPeople({ count: 40, seed: 7, prefix: 'cb' }));
    const skips = async () => (await metrics.circuitBreakerSkips.get()).values.find((v) => v.labels.groupId === group.id)?.value ?? 0;

    for (let tick = 1; tick <= 5; tick++) {
      const ids = await planCycles(env.cfg, env.pool, `tick-${tick}`, redis);
      expect(ids, `tick ${tick}`).to.deep.equal([tickCycleId(`tick-${tick}`, group.id)]);
      const out = await waitForCycle(env.cfg, env.pool, group.id, ids[0], 50, 30000);
      expect(out.status, `tick ${tick}`).to.equal('FAILED');
      const b = await readBreaker(redis, env.cfg, group.id);
      expect(b.consecutiveFailures).to.equal(tick);
      expect(b.status).to.equal(tick < 5 ? 'closed' : 'open');
    }

    // the 6th tick: the breaker is open, no cycle is started and the skip is counted
    const before = await skips();
    expect(await planCycles(env.cfg, env.pool, 'tick-6', redis)).to.deep.equal([]);
    expect(await potentialQueue(env.cfg).getJob(fetchJobId(tickCycleId('tick-6', group.id), 'N', 0))).to.equal(undefined);
    expect(await skips()).to.equal(before + 1);

    // the group is repaired meanwhile; once the window has passed, the next tick is the trial
    await configureGroup(env.pool, group, { algorithmId: 'top-k', params: { candidateStrategy: 'flat' } });
    await windowPassed(group.id);
    expect((await readBreaker(redis, env.cfg, group.id)).status).to.equal('half-open');
    const trial = await planCycles(env.cfg, env.pool, 'tick-7', redis);
    expect(trial).to.deep.equal([tickCycleId('tick-7', group.id)]);
    const out = await waitForCycle(env.cfg, env.pool, group.id, trial[0], 50, 30000);
    expect(out.status).to.equal('COMPLETED');
    // finalize-group closed the breaker
    expect(await redis.exists(breakerKey(env.cfg, group.id))).to.equal(0);
    expect((await readBreaker(redis, env.cfg, group.id)).status).to.equal('closed');
  });

  it('a failed trial opens the breaker again for another window', async () => {
    const group = await makeGroup(env.pool, 'still-broken', { candidateStrategy: 'flat', scorer: 'no-such-scorer' });
    await insertNodes(env.pool, group, syntheticPeople({ count: 20, seed: 8, prefix: 'sb' }));
    for (let tick = 1; tick <= 5; tick++) {
      const [id] = await planCycles(env.cfg, env.pool, `sb-${tick}`, redis);
      expect((await waitForCycle(env.cfg, env.pool, group.id, id, 50, 30000)).status).to.equal('FAILED');
    }
    const opened = await readBreaker(redis, env.cfg, group.id);
    expect(opened.status).to.equal('open');
    await windowPassed(group.id);
    const [trial] = await planCycles(env.cfg, env.pool, 'sb-trial', redis);
    expect(trial).to.be.a('string');
    expect((await waitForCycle(env.cfg, env.pool, group.id, trial, 50, 30000)).status).to.equal('FAILED');
    const again = await readBreaker(redis, env.cfg, group.id);
    expect(again.status).to.equal('open');
    expect(again.openedAt).to.be.greaterThan(opened.openedAt!);
    expect(await planCycles(env.cfg, env.pool, 'sb-after', redis)).to.not.include(tickCycleId('sb-after', group.id));
  });

  it('a cycle counts once however many of its jobs fail for good, and a superseded cycle not at all', async () => {
    const group = await makeGroup(env.pool, 'counted-once', { candidateStrategy: 'flat' });
    const cycle = (cycleId: string): CycleRow => ({
      cycleId, groupId: group.id, domainId: group.domainId, mode: 'INCREMENTAL', lockToken: 0, permitToken: null,
      startedAt: new Date(), newPages: null, existingPages: null, groupHadMatches: true, settings: null as never, settingsHash: 'test',
    });
    const deps = { cfg: env.cfg, pool: env.pool, redis };
    await setLastRun(env.pool, { groupId: group.id, domainId: group.domainId, cycleId: 'c-1', status: 'PENDING' });
    // two build-chunk-pair children of the same cycle fail for good
    await failCycle(deps, cycle('c-1'), 'build N0 failed');
    await failCycle(deps, cycle('c-1'), 'build N1 failed');
    expect((await readBreaker(redis, env.cfg, group.id)).consecutiveFailures).to.equal(1);
    // an older cycle failing after a newer one took the group over
    await setLastRun(env.pool, { groupId: group.id, domainId: group.domainId, cycleId: 'c-3', status: 'PENDING' });
    await failCycle(deps, cycle('c-2'), 'superseded by a newer cycle of the group');
    expect((await readBreaker(redis, env.cfg, group.id)).consecutiveFailures).to.equal(1);
  });
});

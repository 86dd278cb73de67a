// A first page that took its cycle's holds and died before recording the cycle is retried: the
// retry must get the same holds back, not skip its own cycle as "another cycle of the group is
// running" (a partition, then a kill, during a first page).
import { expect } from 'chai';
import { acquireCycleHolds } from '../../../src/potential/cycleHolds.ts';
import { coordinationContext } from '../../../src/shared/coordination/context.ts';
import { RESOURCE } from '../../../src/shared/coordination/keys.ts';
import { semaphoreState } from '../../../src/shared/coordination/semaphore.ts';
import { createRedis } from '../../../src/shared/redis.ts';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';

describe('cycle holds of a retried first page', () => {
  let env: TestEnv;
  let redis: ReturnType<typeof createRedis>;
  before(async () => {
    env = await createTestEnv('holdsretry', { migrate: false, overrides: { maxConcurrentDomains: 2 } });
    redis = createRedis(env.cfg);
  });
  after(async () => {
    redis.disconnect();
    await env.cleanup();
  });

  it('the same cycle gets its own lock and permit back; another cycle of the group does not', async () => {
    // two worker processes: the attempt that died and the retry
    const first = coordinationContext(env.cfg, redis, 'host:1');
    const retry = coordinationContext(env.cfg, redis, 'host:2');
    const a = await acquireCycleHolds(env.cfg, first, 'g1', 'cycle-a');
    expect(a.ok).to.equal(true);
    const again = await acquireCycleHolds(env.cfg, retry, 'g1', 'cycle-a');
    expect(again).to.deep.equal(a);
    const sem = await semaphoreState(first, RESOURCE.domains.name);
    expect(sem.holders).to.have.length(1);
    expect(await acquireCycleHolds(env.cfg, retry, 'g1', 'cycle-b')).to.deep.equal({ ok: false, reason: 'group-busy' });
    // the second permit goes to another group; a third group finds none and leaves no lock behind
    expect((await acquireCycleHolds(env.cfg, retry, 'g2', 'cycle-c')).ok).to.equal(true);
    expect(await acquireCycleHolds(env.cfg, retry, 'g3', 'cycle-d')).to.deep.equal({ ok: false, reason: 'no-domain-permit' });
    expect((await acquireCycleHolds(env.cfg, retry, 'g3', 'cycle-d')).ok).to.equal(false);
    // ...while the holder of g1's cycle still gets its permit back
    expect(await acquireCycleHolds(env.cfg, first, 'g1', 'cycle-a')).to.deep.equal(a);
  });
});

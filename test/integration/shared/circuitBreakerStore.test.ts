import { expect } from 'chai';
import type { RedisClient } from '../../../src/shared/redis.ts';
import { createRedis } from '../../../src/shared/redis.ts';
import { metrics } from '../../../src/shared/metrics.ts';
import {
  allowsGroupRun, breakerKey, listBreakers, readBreaker, recordGroupFailure, recordGroupSuccess,
} from '../../../src/shared/circuitBreakerStore.ts';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';

describe('circuit breaker store (Redis)', function () {
  let t: TestEnv;
  let redis: RedisClient;
  before(async () => {
    t = await createTestEnv('breaker', { migrate: false });
    redis = createRedis(t.cfg);
  });
  after(async () => {
    redis.disconnect();
    await t.cleanup();
  });

  it('opens after 5 failures, refuses runs for 15 minutes, then lets a trial through', async () => {
    const g = 'group-a';
    const t0 = 1_700_000_000_000;
    const trips = async () => (await metrics.circuitBreakerTrips.get()).values.find((v) => v.labels.groupId === g)?.value ?? 0;
    for (let i = 1; i <= 4; i++) {
      const b = await recordGroupFailure(redis, t.cfg, g, t0 + i);
      expect(b.status).to.equal('closed');
    }
    expect(await allowsGroupRun(redis, t.cfg, g, t0 + 5)).to.equal(true);
    const tripped = await recordGroupFailure(redis, t.cfg, g, t0 + 5);
    expect(tripped).to.include({ status: 'open', consecutiveFailures: 5, openedAt: t0 + 5, reopensAt: t0 + 5 + 900_000 });
    expect(await trips()).to.equal(1);
    await recordGroupFailure(redis, t.cfg, g, t0 + 6); // late failure while open: no new trip
    expect(await trips()).to.equal(1);
    expect(await allowsGroupRun(redis, t.cfg, g, t0 + 5 + 899_999)).to.equal(false);
    expect(await allowsGroupRun(redis, t.cfg, g, t0 + 5 + 900_000)).to.equal(true);
    expect((await readBreaker(redis, t.cfg, g, t0 + 5 + 900_000)).status).to.equal('half-open');
    await recordGroupFailure(redis, t.cfg, g, t0 + 5 + 900_000); // the trial failed: open again
    expect(await trips()).to.equal(2);
    expect(await allowsGroupRun(redis, t.cfg, g, t0 + 5 + 900_001)).to.equal(false);
    await recordGroupSuccess(redis, t.cfg, g);
    expect(await redis.exists(breakerKey(t.cfg, g))).to.equal(0);
    expect((await readBreaker(redis, t.cfg, g)).status).to.equal('closed');
  });

  it('counts every failure reported concurrently from separate connections', async () => {
    const g = 'group-concurrent';
    const clients = Array.from({ length: 8 }, () => createRedis(t.cfg));
    try {
      await Promise.all(Array.from({ length: 40 }, (_, i) => recordGroupFailure(clients[i % clients.length], t.cfg, g, 1000)));
    } finally {
      for (const c of clients) c.disconnect();
    }
    const b = await readBreaker(redis, t.cfg, g, 1000);
    expect(b.consecutiveFailures).to.equal(40);
    expect(b.status).to.equal('open');
    expect(b.openedAt).to.equal(1000);
  });

  it('lists groups with failures for the ops page, and none that are closed', async () => {
    await recordGroupFailure(redis, t.cfg, 'group-b', 1);
    await recordGroupFailure(redis, t.cfg, 'group-c', 1);
    await recordGroupSuccess(redis, t.cfg, 'group-c');
    const ids = (await listBreakers(redis, t.cfg, 2)).map((b) => b.groupId);
    expect(ids).to.include('group-b').and.not.to.include('group-c');
  });
});

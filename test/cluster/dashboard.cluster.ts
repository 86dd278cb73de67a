// The dashboard on a Redis Cluster of 3 masters: readiness, Bull Board's queues (pause and resume
// through the board), and the ops page's holds and circuit breakers, all read through cluster
// connections.
import { expect } from 'chai';
import type { Queue } from 'bullmq';
import { startDashboard, type RunningDashboard } from '../../dashboard/server.ts';
import { recordGroupFailure } from '../../src/shared/circuitBreakerStore.ts';
import { coordinationContext } from '../../src/shared/coordination/context.ts';
import { RESOURCE } from '../../src/shared/coordination/keys.ts';
import { acquireLock } from '../../src/shared/coordination/mutex.ts';
import { acquirePermit } from '../../src/shared/coordination/semaphore.ts';
import { openQueue } from '../../src/shared/queue.ts';
import { createRedis, type RedisClient } from '../../src/shared/redis.ts';
import { seedOpsGroup, type SeededGroup } from '../support/dashboardFixture.ts';
import { startLocalCluster, type LocalCluster } from '../support/redis/localCluster.ts';
import { createTestEnv, type TestEnv } from '../support/testEnv.ts';

const OPERATOR = { Authorization: `Basic ${Buffer.from('olga:op-pass').toString('base64')}` };

describe('dashboard on a Redis Cluster of 3 masters', function () {
  this.timeout(60_000);
  let cluster: LocalCluster;
  let t: TestEnv;
  let dash: RunningDashboard;
  let seeded: SeededGroup;
  let queue: Queue;
  let redis: RedisClient;
  const get = (path: string) => fetch(dash.url + path, { headers: OPERATOR, redirect: 'manual' });

  before(async () => {
    cluster = await startLocalCluster({ masters: 3 });
    t = await createTestEnv('dashcl', { env: cluster.env, overrides: { dashboardUsers: ['olga:op-pass:operator', 'tara:t-pass:readonly'] } });
    seeded = await seedOpsGroup(t.pool);
    dash = await startDashboard(t.cfg, { port: 0, host: '127.0.0.1' });
    queue = openQueue(t.cfg, 'import');
    redis = createRedis(t.cfg);
  });
  after(async () => {
    await dash?.close();
    await queue?.close();
    redis?.disconnect();
    await t?.cleanup();
    await cluster?.stop();
  });

  it('counts failed logins and locks a name out, and ends sessions on logout, with its keys on the cluster', async () => {
    const login = (password: string) => fetch(`${dash.url}/login`, {
      method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: 'tara', password, next: '/ops' }).toString(),
    });
    const session = { Cookie: ((await login('t-pass')).headers.get('set-cookie') ?? '').split(';')[0] };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await login(`wrong-${i}`)).status);
    expect(statuses).to.deep.equal([401, 401, 401, 401, 401, 429]);
    const ops = () => fetch(`${dash.url}/ops`, { headers: { ...session, Accept: 'application/json' }, redirect: 'manual' });
    expect((await ops()).status).to.equal(200);
    expect((await fetch(`${dash.url}/logout`, { method: 'POST', headers: session, redirect: 'manual' })).status).to.equal(303);
    expect((await ops()).status).to.equal(401);
  });

  it('is ready, and an operator pauses and resumes a queue through the board', async () => {
    expect(await (await fetch(`${dash.url}/readyz`)).json()).to.deep.equal({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
    const list = await get('/board/operator/api/queues');
    expect(list.status).to.equal(200);
    expect(((await list.json()) as { queues: Array<{ name: string }> }).queues.map((q) => q.name)).to.include.members(['import', 'potential', 'perfect']);
    expect((await fetch(`${dash.url}/board/operator/api/queues/import/pause`, { method: 'PUT', headers: OPERATOR })).status).to.equal(200);
    expect(await queue.isPaused()).to.equal(true);
    expect((await fetch(`${dash.url}/board/operator/api/queues/import/resume`, { method: 'PUT', headers: OPERATOR })).status).to.equal(200);
    expect(await queue.isPaused()).to.equal(false);
  });

  it('the ops page lists the holds and a tripped circuit breaker', async () => {
    for (let i = 0; i < t.cfg.circuitBreakerFailureThreshold; i++) await recordGroupFailure(redis, t.cfg, seeded.groupId);
    const ctx = coordinationContext(t.cfg, redis, 'worker-7');
    const lock = await acquireLock(ctx, RESOURCE.groupCycle(seeded.groupId).name, { ttlMs: 30_000 });
    const permit = await acquirePermit(ctx, RESOURCE.domains.name, { ttlMs: 30_000, limit: 2 });
    try {
      const res = await get('/ops');
      expect(res.status).to.equal(200);
      const body = await res.text();
      const holds = body.slice(body.indexOf('id="holds"'), body.indexOf('id="breakers"'));
      expect(holds).to.contain('worker-7').and.contain('permit 1 of 1 held (limit 2)');
      expect(body.slice(body.indexOf('id="breakers"'))).to.contain('status-open');
    } finally {
      await lock?.release();
      await permit?.release();
    }
  });
});

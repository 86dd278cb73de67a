// The dashboard over HTTP against real PostgreSQL and Redis: health, login, roles, the ops page.
import { expect } from 'chai';
import type { Queue } from 'bullmq';
import type { RedisClient } from '../../../src/shared/redis.ts';
import { startDashboard, type RunningDashboard } from '../../../dashboard/server.ts';
import { escapeHtml } from '../../../dashboard/html.ts';
import { recordGroupFailure } from '../../../src/shared/circuitBreakerStore.ts';
import { openQueue } from '../../../src/shared/queue.ts';
import { createRedis } from '../../../src/shared/redis.ts';
import { coordinationContext } from '../../../src/shared/coordination/context.ts';
import { acquireLock } from '../../../src/shared/coordination/mutex.ts';
import { acquirePermit } from '../../../src/shared/coordination/semaphore.ts';
import { RESOURCE } from '../../../src/shared/coordination/keys.ts';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';
import { expectedBuckets, HOSTILE_GROUP_NAME, seedOpsGroup, type SeededGroup } from '../../support/dashboardFixture.ts';

const basic = (user: string, password: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
const OPERATOR = basic('olga', 'op-pass');
const VIEWER = basic('victor', 'view:pass');

describe('dashboard (HTTP)', function () {
  let t: TestEnv;
  let dash: RunningDashboard;
  let seeded: SeededGroup;
  let queue: Queue;
  let redis: RedisClient;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(dash.url + path, { headers, redirect: 'manual' });

  before(async () => {
    t = await createTestEnv('dash', {
      overrides: { dashboardUsers: ['olga:op-pass:operator', 'victor:view:pass:readonly'], dashboardHistogramBuckets: 10 },
    });
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
  });

  it('answers /healthz and /readyz without a login', async () => {
    const h = await get('/healthz');
    expect(h.status).to.equal(200);
    const r = await get('/readyz');
    expect(r.status).to.equal(200);
    expect(await r.json()).to.deep.equal({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
  });

  it('sends browsers to the login form and scripts a 401', async () => {
    const page = await get('/ops', { Accept: 'text/html' });
    expect(page.status).to.equal(303);
    expect(page.headers.get('location')).to.equal('/login?next=%2Fops');
    const api = await get('/board/operator/api/queues', { Accept: 'application/json' });
    expect(api.status).to.equal(401);
    const pause = await fetch(`${dash.url}/board/operator/api/queues/import/pause`, { method: 'PUT' });
    expect(pause.status).to.equal(401);
    expect(await queue.isPaused()).to.equal(false);
  });

  it('logs in with the form: a wrong password is refused, the right one sets a session cookie', async () => {
    const post = (name: string, password: string) => fetch(`${dash.url}/login`, {
      method: 'POST', redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name, password, next: '/board' }).toString(),
    });
    const wrong = await post('olga', 'nope');
    expect(wrong.status).to.equal(401);
    expect(await wrong.text()).to.contain('wrong password');
    const ok = await post('olga', 'op-pass');
    expect(ok.status).to.equal(303);
    expect(ok.headers.get('location')).to.equal('/board');
    const cookie = ok.headers.get('set-cookie') ?? '';
    expect(cookie).to.match(/^matchflow_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=28800/);
    const session = { Cookie: cookie.split(';')[0] };
    const board = await get('/board', session);
    expect(board.headers.get('location')).to.equal('/board/operator/');
    expect((await get('/board/operator/', session)).status).to.equal(200);
    const tampered = { Cookie: session.Cookie.slice(0, -2) + 'xx' };
    expect((await get('/ops', { ...tampered, Accept: 'text/html' })).status).to.equal(303);
  });

  it('the ops page shows the last runs and the score histogram, escaping the group name', async () => {
    const res = await get('/ops', OPERATOR);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-security-policy')).to.contain("default-src 'none'");
    const body = await res.text();
    expect(body).not.to.contain('<script>').and.not.to.contain('<img src=x');
    expect(body).to.contain(escapeHtml(HOSTILE_GROUP_NAME));
    expect(body).to.contain(seeded.cycleId).and.contain('1,234').and.contain('5,678').and.contain('1 m 25 s');
    expect(body).to.contain('status-FAILED').and.contain('greedy').and.contain(escapeHtml('failed on <img src=x onerror=alert(1)>'));
    const row = body.slice(body.indexOf(`data-group-id="${seeded.groupId}"`));
    const counts = [...row.matchAll(/<rect class="bar" data-count="(\d+)"/g)].slice(0, 10).map((m) => Number(m[1]));
    expect(counts).to.deep.equal(expectedBuckets(seeded.scores, 10));
    expect(row).to.contain(`data-total="${seeded.scores.length}"`);
  });

  it('recomputes a histogram when the group\'s potential run changes, not on every view', async () => {
    const totalOnPage = async () => {
      const body = await (await get('/ops', OPERATOR)).text();
      return Number(/data-total="(\d+)"/.exec(body.slice(body.indexOf(`data-group-id="${seeded.groupId}"`)))![1]);
    };
    const before = await totalOnPage();
    await t.pool.query(
      `INSERT INTO potential_matches (group_id, domain_id, processing_cycle_id, reference_id, matched_reference_id, compatibility_score)
       VALUES ($1, $2, 'cycle-2', 'new-a', 'new-b', 0.42)`, [seeded.groupId, seeded.domainId]);
    expect(await totalOnPage()).to.equal(before);
    await t.pool.query(`UPDATE last_run_potential_matches SET processing_cycle_id = 'cycle-2', finished_at = now() WHERE group_id = $1`, [seeded.groupId]);
    expect(await totalOnPage()).to.equal(before + 1);
    await t.pool.query(`DELETE FROM potential_matches WHERE reference_id = 'new-a'`);
    await t.pool.query(`UPDATE last_run_potential_matches SET processing_cycle_id = $2 WHERE group_id = $1`, [seeded.groupId, seeded.cycleId]);
  });

  it('shows a tripped circuit breaker by group name', async () => {
    for (let i = 0; i < t.cfg.circuitBreakerFailureThreshold; i++) await recordGroupFailure(redis, t.cfg, seeded.groupId);
    const body = await (await get('/ops', VIEWER)).text();
    const section = body.slice(body.indexOf('id="breakers"'));
    expect(section).to.contain('status-open').and.contain(`ops-domain / ${escapeHtml(HOSTILE_GROUP_NAME)}`);
  });

  it('lists the locks and semaphore permits held now, and drops them once released', async () => {
    const ctx = coordinationContext(t.cfg, redis, 'worker-7:<pid>');
    const lock = await acquireLock(ctx, RESOURCE.groupCycle(seeded.groupId).name, { ttlMs: 30_000 });
    const permit = await acquirePermit(ctx, RESOURCE.domains.name, { ttlMs: 30_000, limit: 2 });
    expect(lock && permit).to.be.ok;
    try {
      const body = await (await get('/ops', VIEWER)).text();
      const section = body.slice(body.indexOf('id="holds"'), body.indexOf('id="breakers"'));
      expect(section).to.contain(`group-cycle:${seeded.groupId}`).and.contain('worker-7:&lt;pid&gt;');
      expect(section).to.contain('domains').and.contain('permit 1 of 1 held (limit 2)');
    } finally {
      await lock?.release();
      await permit?.release();
    }
    const after = await (await get('/ops', VIEWER)).text();
    expect(after).to.contain('Nothing is locked right now.');
  });

  it('a read-only user sees the queues but cannot pause, retry, promote or clean (403), on either board', async () => {
    expect((await get('/board', VIEWER)).headers.get('location')).to.equal('/board/readonly/');
    const list = await get('/board/readonly/api/queues', VIEWER);
    expect(list.status).to.equal(200);
    const names = ((await list.json()) as { queues: Array<{ name: string; readOnlyMode: boolean }> }).queues.map((q) => [q.name, q.readOnlyMode]);
    expect(names).to.have.deep.members([['import', true], ['potential', true], ['perfect', true]]);
    for (const board of ['readonly', 'operator']) {
      const writes = [['PUT', 'import/pause'], ['PUT', 'import/retry/failed'], ['PUT', 'import/promote'], ['PUT', 'import/clean/completed'],
        ['PUT', 'import/some-job/retry'], ['POST', 'import/add']];
      for (const [method, path] of writes) {
        const res = await fetch(`${dash.url}/board/${board}/api/queues/${path}`,
          { method, headers: { ...VIEWER, 'Content-Type': 'application/json' }, body: '{}' });
        expect(res.status, `${method} ${board} ${path}`).to.equal(403);
      }
    }
    expect((await get('/board/operator/api/queues', VIEWER)).status).to.equal(403);
    expect((await get('/board/operator/queue/import', { ...VIEWER, Accept: 'text/html' })).headers.get('location')).to.equal('/board/readonly/queue/import');
    expect(await queue.isPaused()).to.equal(false);
  });

  it('an operator pauses and resumes a queue through the board API', async () => {
    const pause = await fetch(`${dash.url}/board/operator/api/queues/import/pause`, { method: 'PUT', headers: OPERATOR });
    expect(pause.status).to.equal(200);
    expect(await queue.isPaused()).to.equal(true);
    const ops = await (await get('/ops', OPERATOR)).text();
    expect(ops.slice(ops.indexOf('id="queues"'))).to.match(/<td>import<\/td><td><span class="status status-PENDING">paused/);
    const resume = await fetch(`${dash.url}/board/operator/api/queues/import/resume`, { method: 'PUT', headers: OPERATOR });
    expect(resume.status).to.equal(200);
    expect(await queue.isPaused()).to.equal(false);
  });

  it('reports not ready when Redis is unreachable', async () => {
    const other = await startDashboard({ ...t.cfg, redisUrl: 'redis://127.0.0.1:1', healthCheckTimeoutMs: 500 }, { port: 0, host: '127.0.0.1' });
    try {
      const r = await fetch(`${other.url}/readyz`);
      expect(r.status).to.equal(503);
      const body = (await r.json()) as { checks: Record<string, string> };
      expect(body.checks.postgres).to.equal('ok');
      expect(body.checks.redis).to.equal('down');
      expect((await fetch(`${other.url}/healthz`)).status).to.equal(200);
    } finally {
      await other.close();
    }
  });
});

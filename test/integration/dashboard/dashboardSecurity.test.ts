// What the review found when it probed the dashboard: 60 wrong logins in 0.9 s, all 401 and none
// logged; the proxy's address logged for every client; a session cookie without Secure; a
// cross-site POST with a text/plain body that changed a queue on cached Basic credentials; a
// logout that left the cookie working for 8 hours; Bull Board pages without a CSP.
import { expect } from 'chai';
import type { Queue } from 'bullmq';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { BOARD_CONTENT_SECURITY_POLICY } from '../../../dashboard/board.ts';
import { startDashboard, type RunningDashboard } from '../../../dashboard/server.ts';
import { ConfigError, type Config } from '../../../src/shared/config.ts';
import { openQueue } from '../../../src/shared/queue.ts';
import { CLI } from '../../support/runCli.ts';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';
import { until } from '../../support/waitFor.ts';

const USERS = ['olga:op-pass:operator', 'victor:view-pass:readonly'];
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** A request exactly as given: no Sec-Fetch-*, no Origin, unlike fetch (which sends Sec-Fetch-Mode). */
function raw(url: string, method: string, headers: Record<string, string>, body = ''): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('dashboard hardening', function () {
  let t: TestEnv;
  const running: RunningDashboard[] = [];
  const start = async (over: Partial<Config> = {}) => {
    const d = await startDashboard({ ...t.cfg, dashboardUsers: USERS, ...over }, { port: 0, host: '127.0.0.1' });
    running.push(d);
    return d;
  };
  const login = (d: RunningDashboard, name: string, password: string, headers: Record<string, string> = {}) => fetch(`${d.url}/login`, {
    method: 'POST', redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ name, password, next: '/ops' }).toString(),
  });

  beforeEach(async () => {
    t = await createTestEnv('dashsec');
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((d) => d.close()));
    await t.cleanup();
  });

  describe('password guessing', () => {
    it('after 5 failures a user name is locked out (429 with Retry-After), the right password too, on every replica', async () => {
      const a = await start();
      const b = await start();
      const statuses: number[] = [];
      for (let i = 0; i < 60; i++) statuses.push((await login(i % 2 ? a : b, 'olga', `guess-${i}`)).status);
      expect(statuses.slice(0, 5)).to.deep.equal([401, 401, 401, 401, 401]);
      expect(statuses[5]).to.equal(429);
      expect(statuses.filter((s) => s === 401).length, 'failures let through').to.be.at.most(8);
      const locked = await login(b, 'olga', 'op-pass');
      expect(locked.status).to.equal(429);
      expect(Number(locked.headers.get('retry-after'))).to.be.within(1, t.cfg.dashboardLoginLockoutSec);
      expect(await locked.text()).to.contain('Too many failed logins');
      // another user is not locked by olga's failures
      expect((await login(a, 'victor', 'view-pass')).status).to.equal(303);
    });

    it('HTTP Basic is throttled the same way', async () => {
      const d = await start();
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await raw(`${d.url}/board/operator/api/queues`, 'GET', { authorization: basic('olga', `x${i}`) })).status);
      expect(statuses.slice(0, 5)).to.deep.equal([401, 401, 401, 401, 401]);
      const last = await raw(`${d.url}/board/operator/api/queues`, 'GET', { authorization: basic('olga', 'op-pass') });
      expect(last.status).to.equal(429);
      expect(Number(last.headers['retry-after'])).to.be.at.least(1);
    });

    it('a success forgets the user\'s failures', async () => {
      const d = await start();
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 4; i++) expect((await login(d, 'olga', 'wrong')).status).to.equal(401);
        expect((await login(d, 'olga', 'op-pass')).status, `round ${round}`).to.equal(303);
      }
    });

    it('per address: 20 failures from one client lock that address out whatever the names; behind a trusted proxy, per client', async () => {
      const d = await start({ dashboardTrustProxy: 'loopback' });
      const from = (ip: string) => ({ 'X-Forwarded-For': ip });
      for (let i = 0; i < 20; i++) expect((await login(d, `nobody-${i}`, 'x', from('198.51.100.7'))).status, `attempt ${i}`).to.equal(401);
      expect((await login(d, 'victor', 'view-pass', from('198.51.100.7'))).status).to.equal(429);
      expect((await login(d, 'victor', 'view-pass', from('198.51.100.8'))).status, 'another client').to.equal(303);
    });

    it('without DASHBOARD_TRUST_PROXY, X-Forwarded-For is not believed: every request counts against the peer address', async () => {
      const d = await start();
      for (let i = 0; i < 20; i++) expect((await login(d, `nobody-${i}`, 'x', { 'X-Forwarded-For': `203.0.113.${i}` })).status).to.equal(401);
      expect((await login(d, 'victor', 'view-pass', { 'X-Forwarded-For': '203.0.113.200' })).status).to.equal(429);
    });

    it('logs every failed login, by the form and by Basic, with the client address (behind a trusted proxy, the client\'s)', async () => {
      const child = spawn('timeout', ['60', process.execPath, CLI, 'dashboard', '--port', '0', '--host', '127.0.0.1'], {
        env: { ...t.env, LOG_LEVEL: 'info', DASHBOARD_USERS: USERS.join(','), DASHBOARD_TRUST_PROXY: 'loopback' },
      });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      try {
        const port = Number((await until('the dashboard to listen', () => /"port":(\d+)[^\n]*"msg":"dashboard listening"/.exec(err)))[1]);
        const d = { url: `http://127.0.0.1:${port}` } as RunningDashboard;
        for (let i = 0; i < 3; i++) await login(d, 'olga', 'wrong', { 'X-Forwarded-For': '192.0.2.44' });
        await raw(`${d.url}/ops`, 'GET', { authorization: basic('mallory', 'x'), 'X-Forwarded-For': '192.0.2.45' });
        const failures = () => err.split('\n').filter((l) => l.includes('"msg":"dashboard login failed"')).map((l) => JSON.parse(l));
        await until('four failure lines', () => failures().length === 4);
        expect(failures().map((f) => [f.user, f.ip, f.via])).to.deep.equal([
          ['olga', '192.0.2.44', 'form'], ['olga', '192.0.2.44', 'form'], ['olga', '192.0.2.44', 'form'], ['mallory', '192.0.2.45', 'basic']]);
        expect(failures()[2].userFailures).to.equal(3);
      } finally {
        child.kill('SIGTERM');
        await exited;
      }
    });
  });

  describe('the session cookie', () => {
    const cookieOf = async (d: RunningDashboard, headers: Record<string, string> = {}) =>
      (await login(d, 'olga', 'op-pass', headers)).headers.get('set-cookie') ?? '';

    it('is Secure in production (NODE_ENV in any case), not over plain HTTP in development', async () => {
      expect(await cookieOf(await start({ nodeEnv: 'development' }))).not.to.match(/;\s*Secure/);
      expect(await cookieOf(await start({ nodeEnv: 'Production' }))).to.match(/;\s*Secure$/);
      expect(await cookieOf(await start({ nodeEnv: 'production', dashboardCookieSecure: 'false' })), 'turned off').not.to.match(/Secure/);
      expect(await cookieOf(await start({ dashboardCookieSecure: 'true' }))).to.match(/;\s*Secure$/);
    });

    it('follows X-Forwarded-Proto from a trusted proxy only', async () => {
      const https = { 'X-Forwarded-Proto': 'https' };
      expect(await cookieOf(await start({ dashboardTrustProxy: 'loopback' }), https)).to.match(/;\s*Secure$/);
      expect(await cookieOf(await start(), https), 'no trusted proxy').not.to.match(/Secure/);
    });

    it('a bad DASHBOARD_COOKIE_SECURE stops the dashboard before it starts', async () => {
      let err: unknown;
      await start({ dashboardCookieSecure: 'sometimes' }).catch((e) => { err = e; });
      expect(err).to.be.instanceOf(ConfigError);
    });
  });

  describe('logout', () => {
    it('ends the session for good: the old cookie, and every other session of the user, no longer open anything', async () => {
      const d = await start();
      const session = async () => ({ Cookie: ((await login(d, 'olga', 'op-pass')).headers.get('set-cookie') ?? '').split(';')[0] });
      const [first, second] = [await session(), await session()];
      const ops = (cookie: { Cookie: string }) => fetch(`${d.url}/ops`, { headers: { ...cookie, Accept: 'application/json' }, redirect: 'manual' });
      expect((await ops(first)).status).to.equal(200);
      const out = await fetch(`${d.url}/logout`, { method: 'POST', headers: { ...first, Origin: d.url }, redirect: 'manual' });
      expect(out.status).to.equal(303);
      expect((await ops(first)).status, 'the cookie of the browser that logged out').to.equal(401);
      expect((await ops(second)).status, 'another session of the same user').to.equal(401);
      expect((await ops(await session())).status, 'a new login works').to.equal(200);
    });
  });

  describe('cross-site requests', () => {
    let queue: Queue;
    afterEach(async () => {
      await queue?.close();
    });

    it('a cross-site POST with a text/plain body and Basic credentials is refused, whatever says it is cross-site', async () => {
      const d = await start();
      queue = openQueue(t.cfg, 'potential');
      const add = (headers: Record<string, string>) => raw(`${d.url}/board/operator/api/queues/potential/add`, 'POST',
        { authorization: basic('olga', 'op-pass'), 'content-type': 'text/plain', ...headers }, '{"name":"x","data":{}}');
      const crossSite: Array<Record<string, string>> = [{ Origin: 'https://evil.example' }, { 'Sec-Fetch-Site': 'cross-site' },
        { 'Sec-Fetch-Site': 'same-site' }, { Origin: 'null' }, { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' }];
      for (const headers of crossSite) {
        expect((await add(headers)).status, JSON.stringify(headers)).to.equal(403);
      }
      expect(await queue.count(), 'nothing was added').to.equal(0);
      expect((await add({ 'Sec-Fetch-Site': 'same-origin' })).status, 'the same request from the board itself').to.equal(200);
      await until('the job the board added', async () => (await queue.count()) === 1);
      // the dashboard's own pages (a browser saying same-origin), and scripts, which say nothing
      expect((await raw(`${d.url}/board/operator/api/queues/potential/pause`, 'PUT',
        { authorization: basic('olga', 'op-pass'), 'Sec-Fetch-Site': 'same-origin', Origin: d.url })).status).to.equal(200);
      expect((await raw(`${d.url}/board/operator/api/queues/potential/resume`, 'PUT', { authorization: basic('olga', 'op-pass') })).status).to.equal(200);
      expect(await queue.isPaused()).to.equal(false);
    });

    it('a cross-site login or logout is refused too', async () => {
      const d = await start();
      expect((await login(d, 'olga', 'op-pass', { Origin: 'https://evil.example' })).status).to.equal(403);
      expect((await raw(`${d.url}/logout`, 'POST', { 'Sec-Fetch-Site': 'cross-site' })).status).to.equal(403);
    });

    it('sends the Basic challenge to scripts, never to browsers (which would cache the credentials)', async () => {
      const d = await start();
      const script = await raw(`${d.url}/board/operator/api/queues`, 'GET', { 'user-agent': 'curl/8.5.0', accept: 'application/json' });
      expect(script.status).to.equal(401);
      expect(script.headers['www-authenticate']).to.match(/^Basic realm=/);
      const browsers: Array<Record<string, string>> = [{ 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0' }, { 'sec-fetch-mode': 'cors' },
        { origin: d.url }];
      for (const headers of browsers) {
        const browser = await raw(`${d.url}/board/operator/api/queues`, 'GET', { ...headers, accept: 'application/json' });
        expect(browser.status, JSON.stringify(headers)).to.equal(401);
        expect(browser.headers['www-authenticate'], JSON.stringify(headers)).to.equal(undefined);
      }
    });
  });

  it('Bull Board pages and their files carry a Content-Security-Policy', async () => {
    const d = await start();
    const page = await raw(`${d.url}/board/operator/`, 'GET', { authorization: basic('olga', 'op-pass') });
    expect(page.status).to.equal(200);
    expect(page.headers['content-security-policy']).to.equal(BOARD_CONTENT_SECURITY_POLICY);
    expect(BOARD_CONTENT_SECURITY_POLICY).to.contain("script-src 'self'").and.contain("frame-ancestors 'none'").and.not.contain('unsafe-eval');
    const readonly = await raw(`${d.url}/board/readonly/`, 'GET', { authorization: basic('victor', 'view-pass') });
    expect(readonly.headers['content-security-policy']).to.equal(BOARD_CONTENT_SECURITY_POLICY);
  });
});

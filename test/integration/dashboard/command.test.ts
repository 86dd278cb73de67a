// `matchflow dashboard` as a process: it serves until SIGTERM, then exits 0; without users it will
// not listen beyond the loopback interface, and says what to set.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';

const CLI = fileURLToPath(new URL('../../../bin/matchflow.js', import.meta.url));

describe('matchflow dashboard (process)', function () {
  let t: TestEnv;
  before(async () => {
    t = await createTestEnv('dashcmd');
  });
  after(async () => {
    await t.cleanup();
  });

  it('serves /readyz and the login page, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [CLI, 'dashboard', '--port', '0', '--host', '127.0.0.1'], {
      env: { ...t.env, LOG_LEVEL: 'info', DASHBOARD_USERS: 'olga:pw:operator', SHUTDOWN_TIMEOUT_MS: '5000' },
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no 'dashboard listening' line:\n${err}`)), 30_000);
        child.stderr.on('data', () => {
          const m = /"port":(\d+)[^\n]*"msg":"dashboard listening"/.exec(err);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
      });
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).to.equal(200);
      const login = await fetch(`http://127.0.0.1:${port}/login`);
      expect(await login.text()).to.contain('<form class="login"');
      // A Bull Board page keeps its connection alive; shutdown must not wait on it for ever.
      await fetch(`http://127.0.0.1:${port}/board/operator/`, { headers: { Authorization: `Basic ${Buffer.from('olga:pw').toString('base64')}` } });
      const t0 = Date.now();
      child.kill('SIGTERM');
      expect(await exited).to.equal(0);
      expect(Date.now() - t0).to.be.lessThan(5000);
      expect(err).to.contain('dashboard stopped');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('without users, refuses to listen beyond the loopback interface unless AUTH_DISABLED=true (exit 2, says what to set)', async () => {
    const child = spawn(process.execPath, [CLI, 'dashboard', '--port', '0', '--host', '0.0.0.0'],
      { env: { ...t.env, NODE_ENV: 'production', DASHBOARD_USERS: '' } });
    let out = '';
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).to.equal(2);
    expect(out).to.contain('DASHBOARD_USERS is empty').and.contain('AUTH_DISABLED=true to listen on 0.0.0.0');
  });
});

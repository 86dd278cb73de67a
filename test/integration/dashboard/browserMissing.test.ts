// A newcomer's machine without chromium: the dashboard's browser test is reported pending, with the
// command that installs it, and `npm test` passes; under CI=true it is required and fails loudly.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const MOCHA = createRequire(import.meta.url).resolve('mocha/bin/mocha.js');

function browserTest(env: NodeJS.ProcessEnv): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [MOCHA, 'test/integration/dashboard/browser.test.ts'], {
      cwd: ROOT, env: { ...env, MATCHFLOW_TEST_CHROMIUM: '/nonexistent/chromium' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('close', (status) => resolve({ status, out }));
  });
}

describe('the browser test on a machine without chromium', function () {
  this.timeout(120_000);
  const { CI: _ci, ...withoutCi } = process.env;

  it('outside CI: pending, with the command that installs chromium', async () => {
    const r = await browserTest(withoutCi);
    expect(r.status, r.out).to.equal(0);
    expect(r.out).to.include('(skipped: /nonexistent/chromium is missing; install it with `apt-get install -y chromium` to run this test');
    expect(r.out).to.match(/^0 passed, 0 failed, [1-9]\d* skipped$/m);
  });

  it('under CI=true: a failure', async () => {
    const r = await browserTest({ ...withoutCi, CI: 'true' });
    expect(r.status).to.not.equal(0);
    expect(r.out).to.match(/\/nonexistent\/chromium is missing: install it with 'apt-get install -y chromium'/);
    expect(r.out).to.match(/^0 passed, 1 failed/m);
  });
});

// bin/matchflow.js runs the CLI as a child: a SIGKILL of the wrapper must not leave an orphan
// worker taking jobs (src/shared/wrapperWatch.ts).
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';

const CLI = fileURLToPath(new URL('../../../bin/matchflow.js', import.meta.url));
/** running, not a zombie waiting for whoever inherited it to reap it */
async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && !/^\d+ \(.*\) Z/.test(stat);
}

describe('bin/matchflow.js wrapper', function () {
  this.timeout(60_000);
  let t: TestEnv;
  beforeEach(async () => { t = await createTestEnv('wrap', { migrate: false }); });
  afterEach(async () => { await t.cleanup(); });

  it('a SIGKILLed wrapper takes its worker with it (at once if still loading, else within a poll)', async () => {
    const wrapper = spawn(process.execPath, [CLI, 'worker', '--queues', 'perfect'], { env: { ...t.env, METRICS_PORT: '0' }, stdio: 'ignore' });
    let child = 0;
    for (const end = Date.now() + 30_000; !child && Date.now() < end; await sleep(100)) {
      child = Number((await readFile(`/proc/${wrapper.pid}/task/${wrapper.pid}/children`, 'utf8').catch(() => '')).trim().split(/\s+/)[0]) || 0;
    }
    expect(child, 'the wrapper started its child').to.be.greaterThan(0);
    wrapper.kill('SIGKILL');
    const killedAt = Date.now();
    while ((await alive(child)) && Date.now() - killedAt < 15_000) await sleep(50);
    expect(await alive(child), 'the child is gone').to.equal(false);
  });
});

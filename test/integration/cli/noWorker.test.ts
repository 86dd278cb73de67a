// A command waiting for a stage says so when no worker serves the stage's queue, instead of
// waiting without a word.
import { expect } from 'chai';
import { Worker } from 'bullmq';
import { spawn } from 'node:child_process';
import { warnWithoutWorkers } from '../../../src/commands/warnWithoutWorkers.ts';
import { bullConnection } from '../../../src/shared/queue.ts';
import { QUEUE } from '../../../src/shared/queues.ts';
import { makeGroup } from '../../support/potentialFixture.ts';
import { CLI } from '../../support/runCli.ts';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';

describe('waiting for a stage no worker serves', function () {
  this.timeout(30_000);
  let env: TestEnv;
  before(async () => { env = await createTestEnv('nowrk'); });
  after(async () => env.cleanup());

  /** What `f` writes to stderr, and its result. */
  async function withStderr<T>(f: () => Promise<T>): Promise<{ value: T; stderr: string }> {
    const written: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((s: string) => written.push(s) > 0) as typeof process.stderr.write;
    try {
      return { value: await f(), stderr: written.join('') };
    } finally {
      process.stderr.write = write;
    }
  }

  it('warns while no worker is connected to the queue, and not once one is', async () => {
    const alone = await withStderr(() => warnWithoutWorkers(env.cfg, QUEUE.perfect));
    expect(alone.value).to.equal(0);
    expect(alone.stderr).to.match(/no worker serves the 'perfect' queue.*matchflow worker --queues perfect/s);

    const worker = new Worker(QUEUE.perfect, async () => undefined, { connection: bullConnection(env.cfg), prefix: env.cfg.queuePrefix });
    try {
      await worker.waitUntilReady();
      const served = await withStderr(() => warnWithoutWorkers(env.cfg, QUEUE.perfect));
      expect(served.value).to.equal(1);
      expect(served.stderr).to.equal('');
    } finally {
      await worker.close();
    }
  });

  it('`run perfect --wait` prints the warning and keeps waiting', async () => {
    const group = await makeGroup(env.pool, 'no-worker', { candidateStrategy: 'flat' });
    const child = spawn(process.execPath, [CLI, 'run', 'perfect', '--group', group.id, '--wait'], { env: env.env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const deadline = Date.now() + 20_000;
      while (!/no worker serves the 'perfect' queue/.test(stderr) && child.exitCode === null && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(stderr).to.match(/no worker serves the 'perfect' queue/);
      expect(child.exitCode, 'still waiting for a worker').to.equal(null);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
    }
  });
});

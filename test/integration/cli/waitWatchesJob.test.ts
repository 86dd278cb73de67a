// `--wait` never waits for something that cannot happen: `import --wait`, `run perfect --wait` and
// `run perfect --dry-run` follow the BullMQ job too, and end (exit 1, with the reason) when it
// failed or left its queue; while no worker serves the queue they say so.
import { expect } from 'chai';
import { UnrecoverableError } from 'bullmq';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openQueue } from '../../../src/shared/queue.ts';
import { QUEUE } from '../../../src/shared/queues.ts';
import { makeGroup } from '../../support/potentialFixture.ts';
import { startCli, type RunningCli } from '../../support/runCli.ts';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';
import { until } from '../../support/waitFor.ts';
import { createWorkerEnv, type WorkerEnv } from '../../support/workerEnv.ts';

const said = (run: RunningCli, what: string, re: RegExp) => until(what, () => {
  if (re.test(run.stderr())) return true;
  if (run.exited()) throw new Error(`the command exited before ${what}: ${run.stderr()}`);
  return false;
}, { timeoutMs: 30_000 });

describe('--wait follows the BullMQ job', function () {
  this.timeout(90_000);
  let env: WorkerEnv;
  let root: string;
  let cliEnv: NodeJS.ProcessEnv;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'mf-waitjob-'));
    await writeFile(join(root, 'people.csv'), 'reference_id,city\nw1,rome\n');
    env = await createWorkerEnv('waitjob', { overrides: { importRoot: root } });
    cliEnv = { ...env.env, IMPORT_ROOT: root };
  });
  afterEach(async () => {
    await env.cleanup();
    await rm(root, { recursive: true, force: true });
  });

  it('import --wait: warns that no worker serves the queue, and ends when its job is removed', async () => {
    const run = startCli(['import', join(root, 'people.csv'), '--domain', 'd', '--group', 'g', '--wait'], cliEnv, 60_000);
    await said(run, 'the no-worker warning', /no worker serves the 'import' queue/);
    const id = (await until('the import id on stdout', () => run.stdout().trim())).trim();
    const queue = openQueue(env.cfg, QUEUE.import);
    try {
      await queue.remove(id);
    } finally {
      await queue.close();
    }
    const r = await run.done;
    expect(r.status, r.stderr).to.equal(1);
    expect(r.stderr).to.include(`matchflow import: import ${id}: its import-file job left the queue before it finished (removed?); the import stays PENDING\n`);
    expect(r.stderr).to.not.match(/\n +at /);
  });

  it('import --wait: a worker of another database fails the job without touching the row; the command ends with the reason', async () => {
    // the real import processor, on the same queues but another schema: it finds no import row
    let other: TestEnv | undefined;
    try {
      other = await createTestEnv('waitjob_other', { overrides: { queuePrefix: env.cfg.queuePrefix, importRoot: root } });
      const workers = await env.startWorkers({ queues: [QUEUE.import], pool: other.pool });
      const r = await startCli(['import', join(root, 'people.csv'), '--domain', 'd', '--group', 'g', '--wait'], cliEnv, 60_000).done;
      await workers.close();
      expect(r.status, r.stderr).to.equal(1);
      expect(r.stderr).to.match(/matchflow import: import ([0-9a-f-]{36}): its import-file job failed: unknown_import_job: no nodes_import_job \1\n$/);
      expect(r.stderr).to.not.match(/no worker serves/);
    } finally {
      await other?.cleanup();
    }
  });

  it('run perfect --wait: ends with the failure reason of its job', async () => {
    const group = await makeGroup(env.pool, 'perfect-fails', { candidateStrategy: 'flat' });
    await env.startWorkers({
      queues: [QUEUE.perfect],
      processors: { perfect: { 'perfect-match-group': async () => { throw new UnrecoverableError('the solver gave up'); } } },
    });
    const r = await startCli(['run', 'perfect', '--group', group.id, '--wait'], cliEnv, 60_000).done;
    expect(r.status, r.stderr).to.equal(1);
    expect(r.stderr).to.match(/perfect-match-group failed: the solver gave up\n$/);
  });

  it('run perfect --dry-run: warns without a worker, and ends when its job is removed', async () => {
    const group = await makeGroup(env.pool, 'dry-no-worker', { candidateStrategy: 'flat' });
    const run = startCli(['run', 'perfect', '--group', group.id, '--dry-run'], cliEnv, 60_000);
    await said(run, 'the no-worker warning', /no worker serves the 'perfect' queue/);
    const id = (await said(run, 'the job id', /enqueued dry-run perfect-match-group job (\S+)/), /job (\S+) for group/.exec(run.stderr())![1]);
    const queue = openQueue(env.cfg, QUEUE.perfect);
    try {
      await queue.remove(id);
    } finally {
      await queue.close();
    }
    const r = await run.done;
    expect(r.status, r.stderr).to.equal(1);
    expect(r.stderr).to.match(new RegExp(`perfect-match-group dry run failed: job ${id} left the 'perfect' queue before it finished \\(removed\\?\\)\\n$`));
  });
});

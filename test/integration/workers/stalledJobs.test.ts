// A job whose worker dies (or is cut off from Redis past its lock) twice must still run: jobs are
// idempotent, and BullMQ's default maxStalledCount of 1 failed such a job for good ("job stalled
// more than allowable limit"), leaving a potential cycle that never started or never finished.
// Found by the chaos suite (a first page hit by a partition, then by a kill). WORKER_MAX_STALLED_COUNT.
import { expect } from 'chai';
import { Worker, type Job } from 'bullmq';
import { bullConnection, openQueue } from '../../../src/shared/queue.ts';
import { JOB, QUEUE } from '../../../src/shared/queues.ts';
import { startWorkers, type WorkerPool } from '../../../src/workers/runtime.ts';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';
import { until as untilWithin } from '../../support/waitFor.ts';

const until = (what: string, f: () => Promise<boolean>) => untilWithin(what, f, { timeoutMs: 15_000 });

/** Runs a job that stalls twice (taken by a worker that never renews its lock) and says how it ended. */
async function stallTwice(maxStalledCount: number): Promise<{ state: string; runs: number; failedReason?: string }> {
  const t: TestEnv = await createTestEnv('stall', { overrides: { workerMaxStalledCount: maxStalledCount, workerStalledIntervalMs: 1000, workerLockDurationMs: 1000 } });
  const queue = openQueue(t.cfg, QUEUE.perfect);
  // a "worker that dies": takes the job, never renews the lock, never finishes
  const doomed = new Worker(QUEUE.perfect, null, { connection: bullConnection(t.cfg), prefix: t.cfg.queuePrefix, autorun: false, lockDuration: 500 });
  let runs = 0;
  let pool: WorkerPool | undefined;
  const job = await queue.add(JOB.perfectMatchGroup, { domainId: 'd', groupId: 'g' });
  try {
    for (let stall = 1; stall <= 2; stall++) {
      let taken: Job | undefined;
      await until(`the doomed worker to take the job (${stall})`, async () => {
        if ((await queue.getJobState(job.id!)) === 'failed') return true;
        taken = await doomed.getNextJob(`doomed-${stall}`, { block: false });
        return taken !== undefined;
      });
      if (!taken) break;
      expect(taken.id).to.equal(job.id);
      // The product worker starts only now, with the job already taken, so that it cannot take it
      // first; it takes no job until the end (paused, which also stops its stalled-check timer):
      // the checks are its own, with its options, run by hand below.
      pool ??= await startWorkers(t.cfg, { queues: [QUEUE.perfect], pool: t.pool, processors: { perfect: { [JOB.perfectMatchGroup]: async () => { runs++; return 'ran'; } } } });
      await pool.workers[0].pause(true);
      const check = () => (pool!.workers[0] as unknown as { moveStalledJobsToWait(): Promise<void> }).moveStalledJobsToWait();
      // the lock lapses; the product worker's stalled check moves the job back (or fails it)
      await until(`stall ${stall}`, async () => {
        await check();
        return ['waiting', 'failed'].includes(await queue.getJobState(job.id!));
      });
    }
    pool!.workers[0].resume();
    await until('the job to end', async () => ['completed', 'failed'].includes(await queue.getJobState(job.id!)));
    const done = (await queue.getJob(job.id!)) as Job;
    return { state: await done.getState(), runs, failedReason: done.failedReason };
  } finally {
    await doomed.close(true);
    await pool?.close(2000);
    await queue.close();
    await t.cleanup();
  }
}

describe('jobs stalled by dying workers', function () {
  this.timeout(60000);

  it('a job stalled twice still runs (WORKER_MAX_STALLED_COUNT=3)', async () => {
    expect(await stallTwice(3)).to.deep.include({ state: 'completed', runs: 1 });
  });

  it('with BullMQ\'s default of 1 the same job fails for good (what the setting prevents)', async () => {
    const out = await stallTwice(1);
    expect(out.state).to.equal('failed');
    expect(out.failedReason).to.match(/stalled more than allowable limit/);
    expect(out.runs).to.equal(0);
  });
});

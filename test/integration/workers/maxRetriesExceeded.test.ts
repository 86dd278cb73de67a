// max_retries_exceeded_total counts the jobs that failed for good after their last attempt; a
// failed attempt that is retried, and a job refused as unrecoverable, do not count.
import { expect } from 'chai';
import { UnrecoverableError } from 'bullmq';
import { metrics } from '../../../src/shared/metrics.ts';
import { openQueue } from '../../../src/shared/queue.ts';
import { JOB, QUEUE } from '../../../src/shared/queues.ts';
import { startWorkers } from '../../../src/workers/runtime.ts';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';
import { until } from '../../support/waitFor.ts';

async function exceeded(): Promise<number> {
  const { values } = await metrics.maxRetriesExceeded.get();
  return values.find((v) => v.labels.queue === QUEUE.perfect && v.labels.job === JOB.perfectMatchGroup)?.value ?? 0;
}

describe('max_retries_exceeded_total', () => {
  let t: TestEnv;
  before(async () => { t = await createTestEnv('maxretry', { overrides: { maxRetries: 2, retryDelayMs: 10 } }); });
  after(async () => { await t.cleanup(); });

  it('counts a job once when its last attempt fails, not its retried attempts nor an unrecoverable failure', async () => {
    const tries = new Map<string, number>();
    const workers = await startWorkers(t.cfg, {
      queues: [QUEUE.perfect], pool: t.pool,
      processors: {
        perfect: {
          [JOB.perfectMatchGroup]: async (job) => {
            tries.set(job.data.groupId, (tries.get(job.data.groupId) ?? 0) + 1);
            if (job.data.groupId === 'refused') throw new UnrecoverableError('bad settings');
            throw new Error('always');
          },
        },
      },
    });
    const queue = openQueue(t.cfg, QUEUE.perfect);
    try {
      const before = await exceeded();
      const failing = await queue.add(JOB.perfectMatchGroup, { domainId: 'd', groupId: 'failing' });
      const refused = await queue.add(JOB.perfectMatchGroup, { domainId: 'd', groupId: 'refused' });
      await until('both jobs to fail for good', async () => (await failing.isFailed()) && (await refused.isFailed()));
      expect(tries.get('failing')).to.equal(3);
      expect(tries.get('refused')).to.equal(1);
      await until('the counter to move', async () => (await exceeded()) === before + 1);
    } finally {
      await queue.close();
      await workers.close(5000);
    }
  });
});

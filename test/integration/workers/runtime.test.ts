import { expect } from 'chai';
import { QueueEvents } from 'bullmq';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';
import { startWorkers } from '../../../src/workers/runtime.ts';
import { bullConnection, openQueue } from '../../../src/shared/queue.ts';
import { JOB, QUEUE } from '../../../src/shared/queues.ts';

describe('worker runtime', () => {
  let t: TestEnv;
  beforeEach(async () => { t = await createTestEnv('rt'); });
  afterEach(async () => { await t.cleanup(); });

  it('dispatches jobs by name, retries failures with back-off, and closes cleanly', async () => {
    let attempts = 0;
    const workers = await startWorkers(t.cfg, {
      queues: [QUEUE.perfect],
      pool: t.pool,
      processors: {
        perfect: {
          [JOB.perfectMatchGroup]: async (job, deps) => {
            attempts++;
            if (attempts < 2) throw new Error('transient');
            const { rows } = await deps.pool.query('SELECT count(*)::int AS n FROM nodes');
            return { group: job.data.groupId, nodes: rows[0].n };
          },
        },
      },
    });
    const queue = openQueue({ ...t.cfg, retryDelayMs: 50 }, QUEUE.perfect);
    const events = new QueueEvents(QUEUE.perfect, { connection: bullConnection(t.cfg), prefix: t.cfg.queuePrefix });
    await events.waitUntilReady();
    try {
      const job = await queue.add(JOB.perfectMatchGroup, { domainId: 'd', groupId: 'g' });
      const result = await job.waitUntilFinished(events, 20000);
      expect(result).to.deep.equal({ group: 'g', nodes: 0 });
      expect(attempts).to.equal(2);
    } finally {
      await events.close();
      await queue.close();
      await workers.close(5000);
    }
  });
});

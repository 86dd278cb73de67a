// MATCH_SAVE_BATCH_SIZE: a perfect run saves its pairs in batches of that many (COPY + UPSERT
// each, timed in perfect_match_storage_batch_duration), in one transaction: the rows are the
// same whatever the batch size.
import { expect } from 'chai';
import { enqueuePerfectMatch } from '../../../src/perfect/perfectJobs.ts';
import { metrics } from '../../../src/shared/metrics.ts';
import { openQueue } from '../../../src/shared/queue.ts';
import { QUEUE } from '../../../src/shared/queues.ts';
import { startWorkers } from '../../../src/workers/runtime.ts';
import { seedPotentialGroup } from '../../support/seedPotentialMatches.ts';
import { until } from '../../support/waitFor.ts';
import { createWorkerEnv, type WorkerEnv } from '../../support/workerEnv.ts';

async function batchesObserved(groupId: string): Promise<number> {
  const { values } = await metrics.perfectMatchStorageBatchDuration.get();
  return values.find((v) => v.metricName === 'perfect_match_storage_batch_duration_count' && v.labels.groupId === groupId)?.value ?? 0;
}

async function rowsOf(env: WorkerEnv, groupId: string): Promise<string[]> {
  const { rows } = await env.pool.query(
    `SELECT reference_id || '↔' || matched_reference_id || '=' || compatibility_score AS r FROM perfect_matches WHERE group_id = $1 ORDER BY 1`, [groupId]);
  return rows.map((r) => r.r as string);
}

describe('perfect matches saved in batches (MATCH_SAVE_BATCH_SIZE)', function () {
  this.timeout(120_000);

  it('writes ceil(pairs / batch) batches, and the same rows as one batch', async () => {
    const small = await createWorkerEnv('psave', { overrides: { saveBatchSize: 7 }, workers: { queues: ['perfect'], concurrency: 1 } });
    try {
      const seed = await seedPotentialGroup(small.pool, { name: 'batches', matchType: 'SYMMETRIC', algorithmId: 'greedy', nodes: 300, edgesPerNode: 5 });
      const queue = openQueue(small.cfg, QUEUE.perfect);
      try {
        const job = await enqueuePerfectMatch(queue, { id: seed.group.id, domainId: seed.group.domainId }, { potentialCycleId: seed.cycleId });
        await until('the run to complete', () => job.isCompleted());
        const { pairs } = (await queue.getJob(job.id!))!.returnvalue as { pairs: number };
        expect(pairs).to.be.greaterThan(50);
        expect(await batchesObserved(seed.group.id)).to.equal(Math.ceil(pairs / 7));
        const batched = await rowsOf(small, seed.group.id);
        expect(batched).to.have.length(pairs);
        // the same run with every pair in one batch
        await small.workers!.close();
        const whole = await startWorkers({ ...small.cfg, saveBatchSize: 1_000_000 }, { queues: ['perfect'], concurrency: 1, pool: small.pool });
        try {
          const before = await batchesObserved(seed.group.id);
          const again = await queue.add('perfect-match-group', { groupId: seed.group.id, domainId: seed.group.domainId, force: true });
          await until('the forced run to complete', () => again.isCompleted());
          expect(await batchesObserved(seed.group.id)).to.equal(before + 1);
          expect(await rowsOf(small, seed.group.id)).to.deep.equal(batched);
        } finally {
          await whole.close();
        }
      } finally {
        await queue.close();
      }
    } finally {
      await small.cleanup();
    }
  });
});

// A stored page vanishing before the last page plans the flow (the UNLOGGED staging emptied by a
// PostgreSQL crash restart): the last page fails the cycle at once, naming the page, instead of
// waiting through every retry; the next cycle completes the group.
import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCycle, waitForCycle } from '../../../src/potential/startCycle.ts';
import { JOB } from '../../../src/shared/queues.ts';
import { syntheticPeople } from '../../../src/synthetic/people.ts';
import { PROCESSORS } from '../../../src/workers/processors.ts';
import { expectedRows, insertNodes, makeGroup, matchesOf } from '../../support/potentialFixture.ts';
import { createWorkerEnv, type WorkerEnv } from '../../support/workerEnv.ts';

describe('a cycle losing a stored page before it is planned', function () {
  this.timeout(90000);
  let env: WorkerEnv;
  let losePage = true;
  let lastPageAttempts = 0;
  before(async () => {
    env = await createWorkerEnv('pagelost', { overrides: { topK: 5, nodeFetchBatchSize: 100, retryDelayMs: 50, workerLockDurationMs: 2000 }, closeMs: 5000 });
    const fetchPage = PROCESSORS.potential[JOB.fetchPage]!;
    await env.startWorkers({
      queues: ['potential'], concurrency: 3,
      processors: {
        potential: {
          ...PROCESSORS.potential,
          [JOB.fetchPage]: async (job, deps) => {
            const p = job.data as { cycleId: string; kind: string; pageIndex: number };
            if (losePage && p.kind === 'N' && p.pageIndex === 2) {
              lastPageAttempts++;
              // N0 stored (its job completed), then gone, as after a crash restart
              for (;;) {
                const { rows } = await deps.pool.query(
                  `SELECT 1 FROM potential_cycle_pages WHERE cycle_id = $1 AND kind = 'N' AND page_index = 0`, [p.cycleId]);
                if (rows.length) break;
                await sleep(20);
              }
              await deps.pool.query(`DELETE FROM potential_cycle_pages WHERE cycle_id = $1 AND kind = 'N' AND page_index = 0`, [p.cycleId]);
            }
            return fetchPage(job, deps);
          },
        },
      },
    });
  });
  after(async () => {
    await env?.cleanup();
  });

  it('fails the cycle on the first attempt, naming the page; the next cycle completes', async () => {
    const nodes = [...syntheticPeople({ count: 250, seed: 4, prefix: 'p' })];
    const group = await makeGroup(env.pool, 'lost-page', { candidateStrategy: 'flat' });
    await insertNodes(env.pool, group, nodes);
    const first = await waitForCycle(env.cfg, env.pool, group.id, await startCycle(env.cfg, group), 100, 60000);
    expect(first.status).to.equal('FAILED');
    if (first.status === 'FAILED') expect(first.lastRun.failureReason).to.match(/page N0 of cycle .* was stored and is gone/);
    expect(lastPageAttempts, 'no retries').to.equal(1);
    losePage = false;
    const second = await waitForCycle(env.cfg, env.pool, group.id, await startCycle(env.cfg, group), 100, 60000);
    expect(second.status).to.equal('COMPLETED');
    expect(await matchesOf(env.pool, group.id)).to.deep.equal(expectedRows(nodes, 5));
  });
});

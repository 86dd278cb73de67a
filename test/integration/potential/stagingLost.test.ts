// The potential staging is UNLOGGED: a PostgreSQL crash empties it. When that happens between the
// chunk pairs and finalize-group, the cycle must fail (and the next one run the nodes again), not
// say COMPLETED with 0 nodes and leave every node unprocessed.
import { expect } from 'chai';
import { startCycle, waitForCycle } from '../../../src/potential/startCycle.ts';
import { JOB } from '../../../src/shared/queues.ts';
import { syntheticPeople } from '../../../src/synthetic/people.ts';
import { PROCESSORS } from '../../../src/workers/processors.ts';
import { expectedRows, insertNodes, makeGroup, matchesOf } from '../../support/potentialFixture.ts';
import { createWorkerEnv, type WorkerEnv } from '../../support/workerEnv.ts';

describe('a cycle whose staging is lost before finalize', function () {
  this.timeout(60000);
  let env: WorkerEnv;
  let crashBeforeFinalize = true;
  before(async () => {
    env = await createWorkerEnv('staginglost', { overrides: { topK: 5, nodeFetchBatchSize: 100, retryDelayMs: 50 }, closeMs: 5000 });
    const finalize = PROCESSORS.potential[JOB.finalizeGroup]!;
    await env.startWorkers({
      queues: ['potential'], concurrency: 2,
      processors: {
        potential: {
          ...PROCESSORS.potential,
          // what crash recovery does to UNLOGGED tables
          [JOB.finalizeGroup]: async (job, deps) => {
            if (crashBeforeFinalize) await deps.pool.query('TRUNCATE potential_cycle_pages');
            return finalize(job, deps);
          },
        },
      },
    });
  });
  after(async () => {
    await env?.cleanup();
  });

  it('fails, and the next cycle completes the group', async () => {
    const nodes = [...syntheticPeople({ count: 250, seed: 9, prefix: 's' })];
    const group = await makeGroup(env.pool, 'lost-staging', { candidateStrategy: 'flat' });
    await insertNodes(env.pool, group, nodes);
    const first = await waitForCycle(env.cfg, env.pool, group.id, await startCycle(env.cfg, group), 100, 45000);
    expect(first.status).to.equal('FAILED');
    if (first.status === 'FAILED') expect(first.lastRun.failureReason).to.match(/staging .* is gone/);
    const { rows } = await env.pool.query('SELECT count(*)::int AS n FROM nodes WHERE group_id = $1 AND NOT processed', [group.id]);
    expect(rows[0].n).to.equal(nodes.length);
    crashBeforeFinalize = false;
    const second = await waitForCycle(env.cfg, env.pool, group.id, await startCycle(env.cfg, group), 100, 45000);
    expect(second.status).to.equal('COMPLETED');
    if (second.status === 'COMPLETED') expect(second.lastRun.nodeCount).to.equal(nodes.length);
    expect(await matchesOf(env.pool, group.id)).to.deep.equal(expectedRows(nodes, 5));
  });
});

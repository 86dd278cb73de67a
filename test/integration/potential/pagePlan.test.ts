// The first page plans the kind's pages and enqueues them at once (fetchPage.ts). Between that
// plan and the fetch of a page, nodes change: here a planned page's nodes are all deleted and
// new nodes are added. The empty page is stored and scores nothing, the open-ended last page
// chains on over the new nodes, and the rows equal the exact top-K of the nodes that remain.
import { expect } from 'chai';
import { potentialQueue } from '../../../src/potential/cycleJobs.ts';
import { startCycle, waitForCycle } from '../../../src/potential/startCycle.ts';
import { JOB, type FetchPagePayload } from '../../../src/shared/queues.ts';
import { syntheticPeople } from '../../../src/synthetic/people.ts';
import { PROCESSORS } from '../../../src/workers/processors.ts';
import { expectedRows, insertNodes, makeGroup, matchesOf } from '../../support/potentialFixture.ts';
import { createWorkerEnv, type WorkerEnv } from '../../support/workerEnv.ts';

const K = 10;
const PAGE = 300;

describe('pages planned by the first page, while nodes change', function () {
  this.timeout(90000);
  let env: WorkerEnv;
  let change: ((p: FetchPagePayload) => Promise<void>) | undefined;

  before(async () => {
    env = await createWorkerEnv('pageplan', { overrides: { topK: K, nodeFetchBatchSize: PAGE, retryDelayMs: 50 }, closeMs: 5000 });
    const fetchPage = PROCESSORS.potential[JOB.fetchPage]!;
    await env.startWorkers({
      // one job at a time: the change lands after N0 planned the pages and before N1 is fetched
      queues: ['potential'], concurrency: 1,
      processors: {
        potential: {
          ...PROCESSORS.potential,
          [JOB.fetchPage]: async (job, deps) => {
            const p = job.data as FetchPagePayload;
            if (p.kind === 'N' && p.pageIndex === 1) await change?.(p);
            return fetchPage(job, deps);
          },
        },
      },
    });
  });
  after(async () => {
    await env?.cleanup();
  });

  it('a planned page emptied by deletions and nodes added meanwhile: the rows are those of the nodes that remain', async () => {
    const nodes = [...syntheticPeople({ count: 1000, seed: 9, prefix: 'q' })];
    const added = [...syntheticPeople({ count: 400, seed: 10, prefix: 'r' })];
    const group = await makeGroup(env.pool, 'plan', { candidateStrategy: 'flat' });
    await insertNodes(env.pool, group, nodes);
    let deleted: string[] = [];
    change = async (p) => {
      expect(p.after, 'N1 starts after the planned bound').to.be.an('object');
      expect(p.upTo, 'N1 ends at the planned bound').to.be.an('object');
      const { rows } = await env.pool.query<{ reference_id: string }>(
        `DELETE FROM nodes WHERE group_id = $1 AND (created_at, id) > ($2::timestamptz, $3::uuid) AND (created_at, id) <= ($4::timestamptz, $5::uuid)
         RETURNING reference_id`, [group.id, p.after!.createdAt, p.after!.id, p.upTo!.createdAt, p.upTo!.id]);
      deleted = rows.map((r) => r.reference_id);
      await insertNodes(env.pool, group, added);
    };
    const cycleId = await startCycle(env.cfg, group, { incremental: false });
    const out = await waitForCycle(env.cfg, env.pool, group.id, cycleId, 50, 60000);
    expect(out.status, JSON.stringify(out)).to.equal('COMPLETED');
    expect(deleted).to.have.length(PAGE);
    const remaining = [...nodes.filter((n) => !deleted.includes(n.referenceId)), ...added];
    expect(await matchesOf(env.pool, group.id)).to.deep.equal(expectedRows(remaining, K));
    if (out.status === 'COMPLETED') expect(out.lastRun.nodeCount).to.equal(remaining.length);
    // pages: N0 (planned N1 … N3 at once), N1 stored empty, N3 open-ended and full, N4 the rest
    const fetches = (await potentialQueue(env.cfg).getJobs(['completed'], 0, -1))
      .filter((j) => j.name === JOB.fetchPage && (j.data as FetchPagePayload).cycleId === cycleId)
      .map((j) => (j.data as FetchPagePayload).pageIndex).sort((a, b) => a - b);
    expect(fetches).to.deep.equal([0, 1, 2, 3, 4]);
    const builds = (await potentialQueue(env.cfg).getJobs(['completed'], 0, -1))
      .filter((j) => j.name === JOB.buildChunkPair && (j.data as { cycleId: string }).cycleId === cycleId);
    expect(builds.map((j) => (j.data as { i: number }).i).sort()).to.deep.equal([0, 2, 3, 4]);
    const { rows } = await env.pool.query('SELECT cursor_id FROM nodes_cursor WHERE group_id = $1', [group.id]);
    expect(rows[0]?.cursor_id, 'the cursor is the last node fetched').to.be.a('string');
  });
});

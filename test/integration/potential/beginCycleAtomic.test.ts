// A first page that fails between recording its cycle and marking the group's run PENDING (a
// PostgreSQL restart, a killed worker) must, once retried, still run the cycle to the end. Before
// the fix the retry found the cycle row, took the cycle as begun, and its last page planned
// nothing ("cycle ended"): the cycle hung until the next tick.
import { expect } from 'chai';
import { startCycle, waitForCycle } from '../../../src/potential/startCycle.ts';
import { syntheticPeople } from '../../../src/synthetic/people.ts';
import { expectedRows, insertNodes, makeGroup, matchesOf } from '../../support/potentialFixture.ts';
import { createWorkerEnv, type WorkerEnv } from '../../support/workerEnv.ts';

describe('the first page of a cycle, failing half-way', function () {
  this.timeout(60000);
  let env: WorkerEnv;
  before(async () => {
    env = await createWorkerEnv('begin', { overrides: { topK: 5, nodeFetchBatchSize: 100, retryDelayMs: 50 }, closeMs: 5000 });
    await env.startWorkers({ queues: ['potential'], concurrency: 2 });
  });
  after(async () => {
    await env?.cleanup();
  });

  it('is retried into a cycle that completes', async () => {
    const nodes = [...syntheticPeople({ count: 250, seed: 5, prefix: 'b' })];
    const group = await makeGroup(env.pool, 'half-begun', { candidateStrategy: 'flat' });
    await insertNodes(env.pool, group, nodes);
    // The first write of a PENDING run fails (a sequence is not rolled back, so only once).
    await env.pool.query(`CREATE SEQUENCE trip_once;
      CREATE FUNCTION trip_once() RETURNS trigger LANGUAGE plpgsql AS $f$
      BEGIN IF nextval('trip_once') = 1 THEN RAISE EXCEPTION 'injected: connection lost'; END IF; RETURN NEW; END $f$;
      CREATE TRIGGER trip_once BEFORE INSERT ON last_run_potential_matches FOR EACH ROW EXECUTE FUNCTION trip_once();`);
    const cycleId = await startCycle(env.cfg, group, { incremental: true });
    const out = await waitForCycle(env.cfg, env.pool, group.id, cycleId, 100, 45000);
    expect(out.status, JSON.stringify(out)).to.equal('COMPLETED');
    expect(await matchesOf(env.pool, group.id)).to.deep.equal(expectedRows(nodes, 5));
    const { rows } = await env.pool.query("SELECT nextval('trip_once')::int AS n");
    expect(rows[0].n, 'the failure was injected').to.be.greaterThan(2);
  });
});

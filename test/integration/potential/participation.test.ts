// finalize-group's participation history skips nodes deleted while their cycle ran, instead of
// failing the history's foreign key (and the cycle with it, at every retry).
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { storePage } from '../../../src/potential/cycleStore.ts';
import { recordParticipation } from '../../../src/potential/cycleStore.ts';
import { withTransaction } from '../../../src/shared/db.ts';
import { syntheticPeople } from '../../../src/synthetic/people.ts';
import { insertNodes, makeGroup } from '../../support/potentialFixture.ts';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';

describe('participation history of a cycle', function () {
  this.timeout(30_000);
  let env: TestEnv;
  before(async () => { env = await createTestEnv('particip'); });
  after(async () => env?.cleanup());

  it('records the cycle\'s nodes that still exist, and none that were deleted meanwhile', async () => {
    const group = await makeGroup(env.pool, 'history', { candidateStrategy: 'flat' });
    await insertNodes(env.pool, group, syntheticPeople({ count: 3, seed: 1, prefix: 'h' }));
    const { rows } = await env.pool.query<{ id: string }>('SELECT id FROM nodes WHERE group_id = $1 ORDER BY reference_id', [group.id]);
    const cycle = { cycleId: randomUUID(), groupId: group.id, domainId: group.domainId };
    await storePage(env.pool, cycle.cycleId, {
      kind: 'N', index: 0, nodeIds: rows.map((r) => r.id), referenceIds: [], lastCreatedAt: null, lastId: null, data: Buffer.alloc(0),
    });
    await env.pool.query('DELETE FROM nodes WHERE id = $1', [rows[1].id]);
    expect(await withTransaction(env.pool, (c) => recordParticipation(c, cycle))).to.equal(2);
    expect(await withTransaction(env.pool, (c) => recordParticipation(c, cycle))).to.equal(0); // a retried finalize adds nothing
    const { rows: history } = await env.pool.query('SELECT node_id FROM match_participation_history WHERE processing_cycle_id = $1 ORDER BY node_id', [cycle.cycleId]);
    expect(history.map((h) => h.node_id)).to.deep.equal([rows[0].id, rows[2].id].sort());
  });
});

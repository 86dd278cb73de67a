// Writing a row page's top-K into potential_matches (src/potential/pageMatches.ts): N pages are
// rewritten whole (and two attempts of one page at once do not collide on the unique key), E pages
// are merged with ON CONFLICT … GREATEST and cut back to K.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { storePage, type CycleRow } from '../../../src/potential/cycleStore.ts';
import { writePageMatches, type PageEdge } from '../../../src/potential/pageMatches.ts';
import { withTransaction } from '../../../src/shared/db.ts';
import { matchesOf } from '../../support/potentialFixture.ts';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';

describe('potential page writes', function () {
  this.timeout(60000);
  let env: TestEnv;
  const groupId = randomUUID();
  const cycle = (mode: CycleRow['mode'], groupHadMatches = true): CycleRow => ({
    cycleId: randomUUID(), groupId, domainId: randomUUID(), mode, lockToken: 1, permitToken: null, startedAt: new Date(),
    newPages: null, existingPages: null, groupHadMatches,
  });
  // the page's staging row, which the write claims (a page of its own per call unless `index` is given)
  let pages = 0;
  const write = async (c: CycleRow, kind: 'N' | 'E', refs: string[], edges: PageEdge[], k = 3, index = pages++) => {
    await storePage(env.pool, c.cycleId, { kind, index, nodeIds: [], referenceIds: refs, lastCreatedAt: null, lastId: null, data: Buffer.alloc(0) });
    return withTransaction(env.pool, (client) => writePageMatches(client, c, { kind, index }, refs, edges, k));
  };

  before(async () => {
    env = await createTestEnv('potpage');
  });
  after(async () => env?.cleanup());

  it('an N page replaces its nodes\' rows whole, even with a lower score', async () => {
    await write(cycle('FULL'), 'N', ['a', 'b'],
      [{ referenceId: 'a', matchedReferenceId: 'b', score: 0.9 }, { referenceId: 'b', matchedReferenceId: 'a', score: 0.9 }]);
    await write(cycle('FULL'), 'N', ['a', 'b'], [{ referenceId: 'a', matchedReferenceId: 'c', score: 0.4 }]);
    expect(await matchesOf(env.pool, groupId)).to.deep.equal(['a→c=0.4']);
  });

  it('two attempts of one N page at once both succeed and leave the rows once', async () => {
    const c = cycle('FULL');
    const refs = Array.from({ length: 300 }, (_, i) => `n${i}`);
    const edges = refs.flatMap((r, i) => [1, 2, 3].map((d) => ({ referenceId: r, matchedReferenceId: refs[(i + d) % refs.length], score: d / 10 })));
    // a group without rows when the cycle began: only a repeated attempt has rows to delete
    c.groupHadMatches = false;
    const counts = await Promise.all([write(c, 'N', refs, edges, 3, 1000), write(c, 'N', refs, edges, 3, 1000), write(c, 'N', refs, edges, 3, 1000)]);
    expect(counts).to.deep.equal([900, 900, 900]);
    const rows = (await matchesOf(env.pool, groupId)).filter((r) => r.startsWith('n'));
    expect(rows).to.have.length(900);
  });

  it('an E page merges new edges with GREATEST and keeps each node\'s K best', async () => {
    await write(cycle('FULL'), 'N', ['e'], [
      { referenceId: 'e', matchedReferenceId: 'x', score: 0.5 },
      { referenceId: 'e', matchedReferenceId: 'y', score: 0.3 },
      { referenceId: 'e', matchedReferenceId: 'z', score: 0.2 },
    ]);
    await write(cycle('INCREMENTAL'), 'E', ['e'], [
      { referenceId: 'e', matchedReferenceId: 'y', score: 0.6 }, // higher score for an existing pair
      { referenceId: 'e', matchedReferenceId: 'w', score: 0.25 }, // pushes z (0.2) out of the top 3
    ]);
    expect((await matchesOf(env.pool, groupId)).filter((r) => r.startsWith('e'))).to.deep.equal(['e→w=0.25', 'e→x=0.5', 'e→y=0.6']);
  });
});

// Writing a row page's lists (src/potential/pageMatches.ts): each node's top-K into
// potential_matches and its whole list into potential_match_lists. N pages are rewritten
// whole (and two attempts of one page at once do not collide on the unique key); E pages write
// only the difference to what the job read, unless an earlier attempt wrote the page.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { sortRanked } from '../../../src/matching/rankedList.ts';
import { storePage, type CycleRow } from '../../../src/potential/cycleStore.ts';
import { loadStoredLists, writePageMatches, type PageEdge, type PageLists } from '../../../src/potential/pageMatches.ts';
import { withTransaction } from '../../../src/shared/db.ts';
import { matchesOf } from '../../support/potentialFixture.ts';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';

describe('potential page writes', function () {
  this.timeout(60000);
  let env: TestEnv;
  let groupId: string;
  const cycle = (mode: CycleRow['mode'], groupHadMatches = true): CycleRow => ({
    cycleId: randomUUID(), groupId, domainId: randomUUID(), mode, lockToken: 1, permitToken: null, startedAt: new Date(), newPages: null,
    existingPages: null, groupHadMatches, settings: null as never, settingsHash: 'test',
  });

  /** Lists of the page's nodes from their edges (any order), K = k, the rest reserve. */
  function listsOf(refs: string[], edges: PageEdge[], k: number, exhaustive = true): PageLists {
    const all = [...new Set([...refs, ...edges.flatMap((e) => [e.referenceId, e.matchedReferenceId])])].sort();
    const idOf = new Map(all.map((r, i) => [r, i]));
    const lists = refs.map((r) => {
      const own = edges.filter((e) => e.referenceId === r);
      return { ...sortRanked(own.map((e) => idOf.get(e.matchedReferenceId)!), own.map((e) => e.score)), exhaustive };
    });
    return { rowRefs: refs, rowIds: Int32Array.from(refs, (r) => idOf.get(r)!), lists, referenceOfId: all, k, colliders: null };
  }

  // the page's staging row, which the write claims (a page of its own per call unless `index` is given)
  let pages = 0;
  const write = async (c: CycleRow, kind: 'N' | 'E', refs: string[], edges: PageEdge[], k = 3, index = pages++, read = kind === 'E') => {
    await storePage(env.pool, c.cycleId, { kind, index, nodeIds: [], referenceIds: refs, lastCreatedAt: null, lastId: null, data: Buffer.alloc(0) });
    const stored = read ? await loadStoredLists(env.pool, groupId, refs) : undefined;
    return (await withTransaction(env.pool, (client) => writePageMatches(client, c, { kind, index }, listsOf(refs, edges, k), stored))).held;
  };
  const reserveOf = async (ref: string) => {
    const l = (await loadStoredLists(env.pool, groupId, [ref])).get(ref)!;
    // the entries past the top K (3 here) are the node's reserve
    return { refs: l.refs.slice(3), scores: Array.from(l.scores.subarray(3)), exhaustive: l.exhaustive };
  };
  const idsOf = async (ref: string) => (await env.pool.query(
    'SELECT matched_reference_id AS m, id FROM potential_matches WHERE group_id = $1 AND reference_id = $2 ORDER BY 1', [groupId, ref])).rows;

  before(async () => {
    env = await createTestEnv('potpage');
    const { rows: [d] } = await env.pool.query(`INSERT INTO domains (name) VALUES ('d') RETURNING id`);
    const { rows: [g] } = await env.pool.query(`INSERT INTO matching_groups (domain_id, name, match_type) VALUES ($1, 'g', 'SYMMETRIC') RETURNING id`, [d.id]);
    groupId = g.id;
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

  it('a node keeps its K best in potential_matches and the rest of its list as its reserve', async () => {
    await write(cycle('FULL'), 'N', ['r'], [0.9, 0.8, 0.7, 0.6, 0.5, 0.4].map((score, i) => ({ referenceId: 'r', matchedReferenceId: `m${i}`, score })));
    expect((await matchesOf(env.pool, groupId)).filter((r) => r.startsWith('r'))).to.deep.equal(['r→m0=0.9', 'r→m1=0.8', 'r→m2=0.7']);
    expect(await reserveOf('r')).to.deep.equal({ refs: ['m3', 'm4', 'm5'], scores: [0.6, 0.5, 0.4], exhaustive: true });
  });

  it('an E page whose stored lists do not match its rows is rewritten whole', async () => {
    const byHand = (ref: string, matched: string) => env.pool.query(
      `INSERT INTO potential_matches (group_id, domain_id, processing_cycle_id, reference_id, matched_reference_id, compatibility_score)
       VALUES ($1, $1, 'by-hand', $2, $3, 0.9)`, [groupId, ref, matched]);
    const rowsOf = async (ref: string) => (await matchesOf(env.pool, groupId)).filter((r) => r.startsWith(ref));
    const edge = (referenceId: string, matchedReferenceId: string, score: number) => ({ referenceId, matchedReferenceId, score });
    await write(cycle('FULL'), 'N', ['s', 't'], [edge('s', 'x', 0.5), edge('t', 'x', 0.5)]);
    // a row that s's list does not know of, which the page adds
    await byHand('s', 'y');
    await write(cycle('INCREMENTAL'), 'E', ['s'], [edge('s', 'x', 0.5), edge('s', 'y', 0.4)]);
    expect(await rowsOf('s')).to.deep.equal(['s→x=0.5', 's→y=0.4']);
    // a row of t's list that is gone, which the page deletes
    await env.pool.query(`DELETE FROM potential_matches WHERE group_id = $1 AND reference_id = 't'`, [groupId]);
    await byHand('t', 'h');
    await write(cycle('INCREMENTAL'), 'E', ['t'], [{ referenceId: 't', matchedReferenceId: 'z', score: 0.3 }]);
    expect(await rowsOf('t')).to.deep.equal(['t→z=0.3']);
    // a node without a stored list
    await byHand('u', 'v');
    await write(cycle('INCREMENTAL'), 'E', ['u'], [{ referenceId: 'u', matchedReferenceId: 'w', score: 0.2 }]);
    expect(await rowsOf('u')).to.deep.equal(['u→w=0.2']);
  });

  it('an E page writes only the rows that changed, and rewrites its reserve', async () => {
    await write(cycle('FULL'), 'N', ['e'], [
      { referenceId: 'e', matchedReferenceId: 'x', score: 0.5 },
      { referenceId: 'e', matchedReferenceId: 'y', score: 0.3 },
      { referenceId: 'e', matchedReferenceId: 'z', score: 0.2 },
      { referenceId: 'e', matchedReferenceId: 'v', score: 0.1 },
    ]);
    const before = await idsOf('e');
    await write(cycle('INCREMENTAL'), 'E', ['e'], [
      { referenceId: 'e', matchedReferenceId: 'x', score: 0.5 }, // unchanged
      { referenceId: 'e', matchedReferenceId: 'y', score: 0.15 }, // y changed: a lower score
      { referenceId: 'e', matchedReferenceId: 'z', score: 0.2 },
      { referenceId: 'e', matchedReferenceId: 'w', score: 0.25 }, // a new node
      { referenceId: 'e', matchedReferenceId: 'v', score: 0.1 },
    ]);
    expect((await matchesOf(env.pool, groupId)).filter((r) => r.startsWith('e'))).to.deep.equal(['e→w=0.25', 'e→x=0.5', 'e→z=0.2']);
    const after = await idsOf('e');
    // the rows that stayed are the same rows
    for (const m of ['x', 'z']) expect(after.find((r) => r.m === m)!.id).to.equal(before.find((r) => r.m === m)!.id);
    expect(await reserveOf('e')).to.deep.equal({ refs: ['y', 'v'], scores: [0.15, 0.1], exhaustive: true });
  });

  it('an E page that an earlier attempt wrote is rewritten whole', async () => {
    const c = cycle('INCREMENTAL');
    await write(cycle('FULL'), 'N', ['f'], [{ referenceId: 'f', matchedReferenceId: 'x', score: 0.5 }]);
    const edges = [{ referenceId: 'f', matchedReferenceId: 'y', score: 0.6 }, { referenceId: 'f', matchedReferenceId: 'x', score: 0.5 }];
    // both attempts read the rows before either wrote
    const stale = await loadStoredLists(env.pool, groupId, ['f']);
    await storePage(env.pool, c.cycleId, { kind: 'E', index: 7, nodeIds: [], referenceIds: ['f'], lastCreatedAt: null, lastId: null, data: Buffer.alloc(0) });
    for (let attempt = 0; attempt < 2; attempt++) {
      await withTransaction(env.pool, (client) => writePageMatches(client, c, { kind: 'E', index: 7 }, listsOf(['f'], edges, 3), stale));
    }
    expect((await matchesOf(env.pool, groupId)).filter((r) => r.startsWith('f'))).to.deep.equal(['f→x=0.5', 'f→y=0.6']);
  });
});

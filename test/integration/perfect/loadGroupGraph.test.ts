// The loader over a real PostgreSQL group: with a budget far below the group's size it spills
// budget-sized chunks to LMDB, and what streams back is exactly what the in-memory load holds.
import { expect } from 'chai';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';
import { seedPotentialGroup } from '../../support/seedPotentialMatches.ts';
import { withClient } from '../../../src/shared/db.ts';
import { localBinaryDb } from '../../../src/shared/localStore.ts';
import { EdgeSpill } from '../../../src/perfect/edgeSpill.ts';
import { loadGroupGraph, MemoryBudgetExceeded, type LoadOptions } from '../../../src/perfect/loadGroupGraph.ts';
import { planSpilled } from '../../../src/perfect/solveSpilled.ts';
import { BYTES_PER_EDGE } from '../../../src/perfect/growableEdges.ts';
import { canonicalBipartite, canonicalGeneral } from '../../../src/matching/perfect/graph.ts';
import { runStrategy } from '../../../src/matching/perfect/strategies.ts';
import { strategyOptionsFromConfig } from '../../../src/groups/groupSettings.ts';

const CHUNK_EDGES = 1024; // the loader's smallest chunk
const sidePartition = { key: 'type', leftValues: ['L'], rightValues: ['R'] };

describe('loadGroupGraph: out of core', function () {
  this.timeout(60_000);
  let t: TestEnv;
  beforeEach(async () => { t = await createTestEnv('pload'); });
  afterEach(async () => { await t.cleanup(); });

  for (const kind of ['SYMMETRIC', 'BIPARTITE'] as const) {
    it(`${kind}: a group 10× the budget spills in chunks and streams back the in-memory graph, in rank order`, async () => {
      const seeded = await seedPotentialGroup(t.pool, { name: `g${kind}`, matchType: kind, algorithmId: 'greedy', nodes: 800, edgesPerNode: 14, seed: 11 });
      expect(seeded.rows.length).to.be.greaterThan(10 * CHUNK_EDGES);
      const bipartite = kind === 'BIPARTITE' ? sidePartition : undefined;
      const load = (opts: LoadOptions) => withClient(t.pool, (c) => loadGroupGraph(c, seeded.group.id, opts));

      const inMemory = await load({ bipartite, maxBytes: 1 << 30 });
      if (!inMemory.inMemory) throw new Error('expected the in-memory load to fit');
      const spill = new EdgeSpill(localBinaryDb(t.cfg, 'test-load-spill'), `load-${kind}-${process.pid}`);
      try {
        const spilled = await load({ bipartite, maxBytes: CHUNK_EDGES * BYTES_PER_EDGE, spill: () => spill });
        if (spilled.inMemory) throw new Error('expected the small budget to spill');
        expect(spilled.rows).to.equal(inMemory.rows);
        expect(spilled.leftRefs).to.deep.equal(inMemory.leftRefs);
        expect(spilled.rightRefs).to.deep.equal(inMemory.rightRefs);
        expect(spill.stats.runs).to.equal(Math.ceil((inMemory.rows - inMemory.skipped) / CHUNK_EDGES));

        // the merge yields the canonical graph's edges (one per pair, its best score) in rank order
        const g = inMemory.graph;
        const canon = g.bipartite ? canonicalBipartite(g) : canonicalGeneral(g);
        const want = new Map<string, number>();
        for (let k = 0; k < canon.left.length; k++) want.set(`${canon.left[k]},${canon.right[k]}`, canon.score[k]);
        const got: Array<[number, number, number]> = [];
        await spill.merge((a, b, s) => { got.push([a, b, s]); });
        for (let k = 1; k < got.length; k++) {
          const [pa, pb, ps] = got[k - 1], [a, b, s] = got[k];
          expect(ps > s || (ps === s && (pa < a || (pa === a && pb < b))), `rank order at ${k}`).to.equal(true);
        }
        const best = new Map<string, number>();
        for (const [a, b, s] of got) if (!best.has(`${a},${b}`)) best.set(`${a},${b}`, s);
        expect(best).to.deep.equal(want);

        // greedy streamed over the spill chooses what greedy in memory chooses
        const opts = strategyOptionsFromConfig(t.cfg);
        const plan = await planSpilled({ spill, bipartite: !!bipartite, nLeft: spilled.leftRefs.length, nRight: spilled.rightRefs.length }, 'greedy', 1 << 30, opts.topK);
        if (plan.kind !== 'pairs') throw new Error('greedy streams to pairs');
        const mem = runStrategy('greedy', g, opts);
        const pairSet = (p: { left: Int32Array; right: Int32Array }) => Array.from(p.left, (l, k) => `${l},${p.right[k]}`).sort();
        expect(pairSet(plan.pairs)).to.deep.equal(pairSet(mem));
      } finally {
        await spill.clear();
      }
    });
  }

  it('without a spill, a group over the budget fails with MemoryBudgetExceeded naming the group', async () => {
    const seeded = await seedPotentialGroup(t.pool, { name: 'over', matchType: 'SYMMETRIC', algorithmId: 'greedy', nodes: 300, edgesPerNode: 8 });
    let err: unknown;
    try {
      await withClient(t.pool, (c) => loadGroupGraph(c, seeded.group.id, { maxBytes: CHUNK_EDGES * BYTES_PER_EDGE }));
    } catch (e) { err = e; }
    expect(err).to.be.instanceOf(MemoryBudgetExceeded);
    expect((err as Error).message).to.include(seeded.group.id).and.include('memory budget');
  });

  it('a group exactly the size of the budget stays in memory', async () => {
    const seeded = await seedPotentialGroup(t.pool, { name: 'exact', matchType: 'SYMMETRIC', algorithmId: 'greedy', nodes: 400, edgesPerNode: 6 });
    const rows = Number((await t.pool.query('SELECT count(*) AS n FROM potential_matches WHERE group_id = $1', [seeded.group.id])).rows[0].n);
    const loaded = await withClient(t.pool, (c) => loadGroupGraph(c, seeded.group.id, { maxBytes: Math.max(rows, CHUNK_EDGES) * BYTES_PER_EDGE }));
    expect(loaded.inMemory).to.equal(true);
  });
});

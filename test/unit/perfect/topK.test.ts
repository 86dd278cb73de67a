import { expect } from 'chai';
import { mutualTopKBipartite, mutualTopKGeneral, topKBipartite, topKGeneral } from '../../../src/matching/perfect/topK.ts';
import type { EdgeList, Pairs } from '../../../src/matching/perfect/graph.ts';
import { pairsKey, randomBipartite, randomGeneral, randomShape, rng } from './oracle.ts';

/** Oracle: each node sorts its own edges (score desc, edge index asc) and marks the first k. */
function chosenBy(g: EdgeList, rightOffset: number, nNodes: number, k: number): Uint8Array[] {
  const m = g.left.length;
  const byNode: number[][] = Array.from({ length: nNodes }, () => []);
  for (let e = 0; e < m; e++) {
    byNode[g.left[e]].push(e);
    byNode[g.right[e] + rightOffset].push(e);
  }
  const fromLeft = new Uint8Array(m), fromRight = new Uint8Array(m);
  byNode.forEach((list, v) => {
    list.sort((a, b) => g.score[b] - g.score[a] || a - b);
    for (const e of list.slice(0, k)) (v === g.left[e] ? fromLeft : fromRight)[e] = 1;
  });
  return [fromLeft, fromRight];
}

function keep(g: EdgeList, mask: (e: number) => boolean): Pairs {
  const idx: number[] = [];
  for (let e = 0; e < g.left.length; e++) if (mask(e)) idx.push(e);
  return { left: Int32Array.from(idx, (e) => g.left[e]), right: Int32Array.from(idx, (e) => g.right[e]), score: Float64Array.from(idx, (e) => g.score[e]) };
}

describe('perfect/topK', () => {
  it('matches the per-node ranking oracle on 400 random bipartite graphs', () => {
    const rnd = rng(11);
    for (let t = 0; t < 400; t++) {
      const g = randomBipartite(rnd, randomShape(rnd, 7));
      const k = 1 + Math.floor(rnd() * 3);
      const [L, R] = chosenBy(g, g.nLeft, g.nLeft + g.nRight, k);
      expect(pairsKey(topKBipartite(g, k))).to.equal(pairsKey(keep(g, (e) => !!(L[e] || R[e]))));
      expect(pairsKey(topKBipartite(g, k, 'left'))).to.equal(pairsKey(keep(g, (e) => !!L[e])));
      expect(pairsKey(topKBipartite(g, k, 'right'))).to.equal(pairsKey(keep(g, (e) => !!R[e])));
      expect(pairsKey(mutualTopKBipartite(g, k))).to.equal(pairsKey(keep(g, (e) => !!(L[e] && R[e]))));
    }
  });

  it('matches the oracle on 400 random general graphs', () => {
    const rnd = rng(12);
    for (let t = 0; t < 400; t++) {
      const g = randomGeneral(rnd, randomShape(rnd, 8));
      const k = 1 + Math.floor(rnd() * 3);
      const [A, B] = chosenBy(g, 0, g.n, k);
      expect(pairsKey(topKGeneral(g, k))).to.equal(pairsKey(keep(g, (e) => !!(A[e] || B[e]))));
      expect(pairsKey(mutualTopKGeneral(g, k))).to.equal(pairsKey(keep(g, (e) => !!(A[e] && B[e]))));
    }
  });

  it('caps each choosing node at K and breaks ties towards lower ids', () => {
    // Left 0 has four equal edges: with K = 2 it keeps right 0 and 1.
    const g = { nLeft: 1, nRight: 4, left: Int32Array.of(0, 0, 0, 0), right: Int32Array.of(0, 1, 2, 3), score: Float64Array.of(1, 1, 1, 1) };
    expect([...topKBipartite(g, 2, 'left').right]).to.deep.equal([0, 1]);
  });

  it('refuses K < 1', () => {
    const g = { n: 2, left: Int32Array.of(0), right: Int32Array.of(1), score: Float64Array.of(1) };
    expect(() => topKGeneral(g, 0)).to.throw(RangeError);
  });
});

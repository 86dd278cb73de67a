import { expect } from 'chai';
import { hopcroftKarp } from '../../../src/matching/perfect/hopcroftKarp.ts';
import { assertMatchingOf, bipartiteOptimum, pairsKey, randomBipartite, randomShape, rng } from './oracle.ts';

describe('perfect/hopcroftKarp', () => {
  it('finds as many pairs as exhaustive search (600 random bipartite graphs)', () => {
    const rnd = rng(31);
    for (let t = 0; t < 600; t++) {
      const g = randomBipartite(rnd, randomShape(rnd, 7));
      const p = hopcroftKarp(g);
      assertMatchingOf(p, g.left, g.right, g.score, g.nLeft, g.nLeft + g.nRight);
      expect(p.left.length).to.equal(bipartiteOptimum(g).cardinality);
      expect(pairsKey(hopcroftKarp(g))).to.equal(pairsKey(p));
    }
  });

  it('augments along a long path without recursion (a 200,000-node chain)', () => {
    // Left i joins right i and right i+1; the perfect matching needs long augmenting paths.
    const n = 100000;
    const left = new Int32Array(2 * n - 1), right = new Int32Array(2 * n - 1);
    for (let i = 0, k = 0; i < n; i++) {
      if (i + 1 < n) { left[k] = i; right[k++] = i + 1; }
      left[k] = i; right[k++] = i;
    }
    const p = hopcroftKarp({ nLeft: n, nRight: n, left, right, score: new Float64Array(2 * n - 1).fill(1) });
    expect(p.left.length).to.equal(n);
  });
});

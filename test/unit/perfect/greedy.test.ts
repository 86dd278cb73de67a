import { expect } from 'chai';
import { greedyBipartite, greedyGeneral } from '../../../src/matching/perfect/greedy.ts';
import type { EdgeList, Pairs } from '../../../src/matching/perfect/graph.ts';
import { assertMatchingOf, bipartiteOptimum, generalOptimum, pairsKey, randomBipartite, randomGeneral, randomShape, rng, sumScores } from './oracle.ts';

/** Oracle: repeatedly take the best remaining edge whose ends are both free (quadratic). */
function naiveGreedy(g: EdgeList, rightOffset: number): Pairs {
  const taken = new Set<number>();
  const chosen: number[] = [];
  const alive = new Set<number>();
  for (let e = 0; e < g.left.length; e++) if (g.score[e] > 0) alive.add(e);
  for (;;) {
    let best = -1;
    for (const e of alive) if (best === -1 || g.score[e] > g.score[best] || (g.score[e] === g.score[best] && e < best)) best = e;
    if (best === -1) break;
    alive.delete(best);
    const a = g.left[best], b = g.right[best] + rightOffset;
    if (taken.has(a) || taken.has(b)) continue;
    taken.add(a).add(b);
    chosen.push(best);
  }
  chosen.sort((x, y) => x - y); // canonical edge order = (left, right) order
  return {
    left: Int32Array.from(chosen, (e) => g.left[e]), right: Int32Array.from(chosen, (e) => g.right[e]), score: Float64Array.from(chosen, (e) => g.score[e]),
  };
}

describe('perfect/greedy', () => {
  it('equals the naive greedy and is at least half the optimum (500 bipartite graphs)', () => {
    const rnd = rng(21);
    for (let t = 0; t < 500; t++) {
      const g = randomBipartite(rnd, randomShape(rnd, 6));
      const p = greedyBipartite(g);
      assertMatchingOf(p, g.left, g.right, g.score, g.nLeft, g.nLeft + g.nRight);
      expect(pairsKey(p)).to.equal(pairsKey(naiveGreedy(g, g.nLeft)));
      expect(sumScores(p)).to.be.at.least(bipartiteOptimum(g).weight / 2 - 1e-9);
      for (const s of p.score) expect(s).to.be.greaterThan(0);
    }
  });

  it('equals the naive greedy on 500 general graphs', () => {
    const rnd = rng(22);
    for (let t = 0; t < 500; t++) {
      const g = randomGeneral(rnd, randomShape(rnd, 8));
      const p = greedyGeneral(g);
      assertMatchingOf(p, g.left, g.right, g.score, 0, g.n);
      expect(pairsKey(p)).to.equal(pairsKey(naiveGreedy(g, 0)));
      expect(sumScores(p)).to.be.at.least(generalOptimum(g).weight / 2 - 1e-9);
    }
  });
});

import { expect } from 'chai';
import { auctionAssignment } from '../../../src/matching/perfect/auction.ts';
import { pairsFromMates } from '../../../src/matching/perfect/optimalAssignment.ts';
import { assertMatchingOf, bipartiteOptimum, pairsKey, randomBipartite, randomShape, rng, sumScores } from './oracle.ts';

describe('perfect/auction', () => {
  it('is exactly optimal on integer scores (500 random graphs with ties, zeros and negatives)', () => {
    const rnd = rng(61);
    for (let t = 0; t < 500; t++) {
      const g = randomBipartite(rnd, { ...randomShape(rnd, 7), ties: true });
      const p = pairsFromMates(g, auctionAssignment(g).rightForLeft);
      assertMatchingOf(p, g.left, g.right, g.score, g.nLeft, g.nLeft + g.nRight);
      expect(sumScores(p)).to.equal(bipartiteOptimum(g).weight);
    }
  });

  it('stays within the documented bound on float scores, for coarse and fine rounding', () => {
    const rnd = rng(62);
    for (const bits of [6, 12, 30]) {
      for (let t = 0; t < 300; t++) {
        const g = randomBipartite(rnd, { ...randomShape(rnd, 7), ties: false });
        const p = pairsFromMates(g, auctionAssignment(g, { bits }).rightForLeft);
        assertMatchingOf(p, g.left, g.right, g.score, g.nLeft, g.nLeft + g.nRight);
        let max = 0;
        for (const s of g.score) max = Math.max(max, s);
        const bound = g.nLeft * (max / 2 ** (bits + 1)) * 2; // rounding can cost half a grid step per pair, both ways
        expect(sumScores(p)).to.be.at.least(bipartiteOptimum(g).weight - bound - 1e-12);
      }
    }
  });

  it('is deterministic', () => {
    const rnd = rng(63);
    for (let t = 0; t < 100; t++) {
      const g = randomBipartite(rnd, { maxNodes: 7, density: 0.8, ties: true, negatives: false });
      expect(pairsKey(pairsFromMates(g, auctionAssignment(g).rightForLeft))).to.equal(pairsKey(pairsFromMates(g, auctionAssignment(g).rightForLeft)));
    }
  });
});

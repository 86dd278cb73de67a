import { expect } from 'chai';
import { solveDenseAssignment } from '../../../src/matching/perfect/denseAssignment.ts';
import { solveSparseAssignment } from '../../../src/matching/perfect/sparseAssignment.ts';
import { chooseAssignmentMethod, maxWeightAssignment } from '../../../src/matching/perfect/optimalAssignment.ts';
import { assertMatchingOf, bipartiteOptimum, pairsKey, randomBipartite, randomShape, rng, sumScores } from './oracle.ts';

const EPS = 1e-9;

/** Oracle: the cheapest assignment of min(nr, nc) rows to columns, by trying every injection. */
function bruteAssignment(cost: Float64Array, nr: number, nc: number): number {
  const tall = nr > nc;
  const a = tall ? nc : nr, b = tall ? nr : nc;
  const at = (i: number, j: number) => (tall ? cost[j * nc + i] : cost[i * nc + j]);
  const used = new Uint8Array(b);
  let best = Infinity;
  const walk = (i: number, sum: number): void => {
    if (i === a) { best = Math.min(best, sum); return; }
    for (let j = 0; j < b; j++) if (!used[j]) { used[j] = 1; walk(i + 1, sum + at(i, j)); used[j] = 0; }
  };
  walk(0, 0);
  return best;
}

const dense = { method: 'dense' as const, denseMaxCells: 1e9, denseMinDensity: 0 };
const sparse = { method: 'sparse' as const, denseMaxCells: 1e9, denseMinDensity: 0 };

describe('perfect/denseAssignment', () => {
  it('is optimal with a valid dual certificate on 500 random rectangular matrices', () => {
    const rnd = rng(41);
    for (let t = 0; t < 500; t++) {
      const nr = 1 + Math.floor(rnd() * 6), nc = 1 + Math.floor(rnd() * 6);
      const ties = rnd() < 0.5;
      const cost = Float64Array.from({ length: nr * nc }, () => (ties ? Math.floor(rnd() * 3) - 1 : rnd() * 4 - 2));
      const r = solveDenseAssignment(cost, nr, nc);
      expect(r.cost).to.be.closeTo(bruteAssignment(cost, nr, nc), EPS);
      // A consistent one-to-one assignment of min(nr, nc) pairs.
      let pairs = 0;
      for (let i = 0; i < nr; i++) if (r.colForRow[i] !== -1) { pairs++; expect(r.rowForCol[r.colForRow[i]]).to.equal(i); }
      expect(pairs).to.equal(Math.min(nr, nc));
      // Dual feasibility and complementary slackness.
      for (let i = 0; i < nr; i++) for (let j = 0; j < nc; j++) {
        const reduced = cost[i * nc + j] - r.u[i] - r.v[j];
        expect(reduced).to.be.at.least(-EPS);
        if (r.colForRow[i] === j) expect(reduced).to.be.closeTo(0, EPS);
      }
      // On the longer side, unassigned duals are 0 and all are ≤ 0.
      if (nr < nc) for (let j = 0; j < nc; j++) { expect(r.v[j]).to.be.at.most(EPS); if (r.rowForCol[j] === -1) expect(r.v[j]).to.be.closeTo(0, EPS); }
      if (nr > nc) for (let i = 0; i < nr; i++) { expect(r.u[i]).to.be.at.most(EPS); if (r.colForRow[i] === -1) expect(r.u[i]).to.be.closeTo(0, EPS); }
    }
  });

  it('solves a 300 × 300 uniform matrix to the same cost as the sparse solver', () => {
    const rnd = rng(42);
    const n = 300;
    const cost = Float64Array.from({ length: n * n }, () => rnd());
    const d = solveDenseAssignment(cost, n, n);
    // The same problem as a complete bipartite graph of scores 2 − cost (all positive, so every row is matched).
    const left = new Int32Array(n * n), right = new Int32Array(n * n), score = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { left[i * n + j] = i; right[i * n + j] = j; score[i * n + j] = 2 - cost[i * n + j]; }
    const s = solveSparseAssignment({ nLeft: n, nRight: n, left, right, score });
    expect(2 * n - s.weight).to.be.closeTo(d.cost, 1e-7);
  });

  it('refuses non-finite cells and a wrong size', () => {
    expect(() => solveDenseAssignment(Float64Array.of(1, Infinity), 1, 2)).to.throw(RangeError, /not finite/);
    expect(() => solveDenseAssignment(Float64Array.of(1, 2, 3), 2, 2)).to.throw(RangeError, /cells/);
  });
});

describe('perfect/sparseAssignment', () => {
  it('is optimal with a valid dual certificate on 500 random graphs (ties, ≤ 0 scores, isolated nodes)', () => {
    const rnd = rng(43);
    for (let t = 0; t < 500; t++) {
      const g = randomBipartite(rnd, randomShape(rnd, 7));
      const r = solveSparseAssignment(g);
      expect(r.weight).to.be.closeTo(bipartiteOptimum(g).weight, EPS);
      const { nRight } = g;
      const taken = new Uint8Array(nRight);
      for (let i = 0; i < g.nLeft; i++) {
        const j = r.rightForLeft[i];
        // Private column of row i: −u[i] − v[nRight + i] ≥ 0, tight when i is unmatched.
        const priv = -r.u[i] - r.v[nRight + i];
        expect(priv).to.be.at.least(-EPS);
        if (j === -1) expect(priv).to.be.closeTo(0, EPS);
        else { expect(taken[j]).to.equal(0); taken[j] = 1; expect(r.v[nRight + i]).to.be.closeTo(0, EPS); }
      }
      for (let k = 0; k < g.left.length; k++) {
        if (!(g.score[k] > 0)) continue;
        const reduced = -g.score[k] - r.u[g.left[k]] - r.v[g.right[k]];
        expect(reduced).to.be.at.least(-EPS);
        if (r.rightForLeft[g.left[k]] === g.right[k]) expect(reduced).to.be.closeTo(0, EPS);
      }
      for (let j = 0; j < nRight; j++) { expect(r.v[j]).to.be.at.most(EPS); if (!taken[j]) expect(r.v[j]).to.be.closeTo(0, EPS); }
    }
  });
});

describe('perfect/sparseAssignment warm start', () => {
  it('reaches the optimum from any warm duals, good (auction) or arbitrary (300 random graphs)', async () => {
    const { auctionAssignment } = await import('../../../src/matching/perfect/auction.ts');
    const rnd = rng(46);
    for (let t = 0; t < 300; t++) {
      const g = randomBipartite(rnd, randomShape(rnd, 7));
      const opt = bipartiteOptimum(g).weight;
      const fromAuction = auctionAssignment(g, { bits: 4 }).columnDuals;
      const arbitrary = Float64Array.from({ length: g.nRight + g.nLeft }, () => -rnd() * 3);
      for (const warm of [fromAuction, arbitrary]) {
        const r = solveSparseAssignment(g, warm);
        expect(r.weight).to.be.closeTo(opt, EPS);
        for (let j = 0; j < g.nRight; j++) expect(r.v[j]).to.be.at.most(0);
      }
    }
  });
});

describe('perfect/optimalAssignment', () => {
  it('dense and sparse routes both reach the exhaustive optimum (500 random graphs)', () => {
    const rnd = rng(44);
    for (let t = 0; t < 500; t++) {
      const g = randomBipartite(rnd, randomShape(rnd, 7));
      const opt = bipartiteOptimum(g).weight;
      for (const opts of [dense, sparse]) {
        const p = maxWeightAssignment(g, opts);
        assertMatchingOf(p, g.left, g.right, g.score, g.nLeft, g.nLeft + g.nRight);
        expect(sumScores(p)).to.be.closeTo(opt, EPS);
        for (const s of p.score) expect(s).to.be.greaterThan(0);
      }
    }
  });

  it('is deterministic: the same input gives the same pairs', () => {
    const rnd = rng(45);
    for (let t = 0; t < 100; t++) {
      const g = randomBipartite(rnd, { maxNodes: 7, density: 0.7, ties: true, negatives: false });
      expect(pairsKey(maxWeightAssignment(g, sparse))).to.equal(pairsKey(maxWeightAssignment(g, sparse)));
      expect(pairsKey(maxWeightAssignment(g, dense))).to.equal(pairsKey(maxWeightAssignment(g, dense)));
    }
  });

  it('auto picks dense for a small dense graph and sparse for a large or thin one', () => {
    const full = { nLeft: 3, nRight: 3, left: Int32Array.of(0, 0, 1, 1, 2, 2), right: Int32Array.of(0, 1, 1, 2, 0, 2), score: new Float64Array(6).fill(1) };
    expect(chooseAssignmentMethod(full, { denseMaxCells: 100, denseMinDensity: 0.5 })).to.equal('dense');
    expect(chooseAssignmentMethod(full, { denseMaxCells: 8, denseMinDensity: 0.5 })).to.equal('sparse');
    expect(chooseAssignmentMethod(full, { denseMaxCells: 100, denseMinDensity: 0.9 })).to.equal('sparse');
  });
});

import { expect } from 'chai';
import { maxWeightMatching } from '../../../src/matching/perfect/blossom.ts';
import { canonicalGeneral, type GeneralGraph } from '../../../src/matching/perfect/graph.ts';
import { referenceMaxWeightMatching } from '../../support/blossomReference.ts';
import { assertMatchingOf, generalOptimum, pairsKey, randomGeneral, randomShape, rng, sumScores, type Rng } from './oracle.ts';

function graph(edges: [number, number, number][]): GeneralGraph {
  const n = 1 + Math.max(0, ...edges.flatMap(([a, b]) => [a, b]));
  return canonicalGeneral({
    n, left: Int32Array.from(edges, (e) => e[0]), right: Int32Array.from(edges, (e) => e[1]), score: Float64Array.from(edges, (e) => e[2]),
  });
}

function checkOptimal(g: GeneralGraph): void {
  const p = maxWeightMatching(g);
  assertMatchingOf(p, g.left, g.right, g.score, 0, g.n);
  expect(sumScores(p)).to.be.closeTo(generalOptimum(g).weight, 1e-9);
}

/** Against the O(n³) implementation this one replaced, for graphs too big to enumerate. */
function checkAgainstReference(g: GeneralGraph, label = ''): void {
  const p = maxWeightMatching(g);
  assertMatchingOf(p, g.left, g.right, g.score, 0, g.n);
  expect(sumScores(p), label).to.be.closeTo(sumScores(referenceMaxWeightMatching(g)), 1e-9);
}

/** n nodes, m random edges (a repeated pair keeps its best score), scores from `score`. */
function randomGraph(rnd: Rng, n: number, m: number, score: () => number): GeneralGraph {
  const l = new Int32Array(m), r = new Int32Array(m), w = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    l[k] = Math.floor(rnd() * n);
    r[k] = (l[k] + 1 + Math.floor(rnd() * (n - 1))) % n;
    w[k] = score();
  }
  return canonicalGeneral({ n, left: l, right: r, score: w });
}

/**
 * Odd cycles nested `depth` levels: a level is three copies of the level below joined in a
 * triangle through their port vertices, each level's edges lighter than the one inside it, and a
 * light pendant edge on every port so that augmenting paths must run through the blossoms.
 */
function nestedOddCycles(depth: number, jitter: Rng | null): GeneralGraph {
  const edges: [number, number, number][] = [];
  let next = 0;
  const build = (level: number): number => {
    if (level === 0) return next++;
    const ports = [build(level - 1), build(level - 1), build(level - 1)];
    const w = 10 * (depth - level + 2);
    const j = () => (jitter ? Math.floor(jitter() * 3) : 0);
    edges.push([ports[0], ports[1], w + j()], [ports[1], ports[2], w + j()], [ports[2], ports[0], w + j()]);
    const pendant = next++;
    edges.push([ports[level % 3], pendant, 1 + j()]);
    return ports[0];
  };
  build(depth);
  return canonicalGeneral({
    n: next, left: Int32Array.from(edges, (e) => e[0]), right: Int32Array.from(edges, (e) => e[1]), score: Float64Array.from(edges, (e) => e[2]),
  });
}

describe('perfect/blossom', () => {
  it('reaches the exhaustive optimum on 1,500 random graphs of up to 9 nodes', () => {
    const rnd = rng(51);
    for (let t = 0; t < 1500; t++) checkOptimal(randomGeneral(rnd, randomShape(rnd, 9)));
  });

  it('reaches the optimum on 150 denser graphs of 10–12 nodes (nested blossoms)', () => {
    const rnd = rng(52);
    for (let t = 0; t < 150; t++) {
      const n = 10 + Math.floor(rnd() * 3);
      const l: number[] = [], r: number[] = [], w: number[] = [];
      for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) if (rnd() < 0.3) { l.push(a); r.push(b); w.push(1 + Math.floor(rnd() * 20)); }
      checkOptimal(canonicalGeneral({ n, left: Int32Array.from(l), right: Int32Array.from(r), score: Float64Array.from(w) }));
    }
  });

  // Shapes that exercise each blossom operation: S-blossoms used for augmentation, S-blossoms
  // relabelled T and expanded, nested blossoms expanded recursively, least-slack edges produced
  // by an expansion (the classic cases of Galil's paper and van Rantwijk's test suite).
  const shapes: [string, [number, number, number][]][] = [
    ['S-blossom', [[1, 2, 8], [1, 3, 9], [2, 3, 10], [3, 4, 7], [1, 6, 5], [4, 5, 6]]],
    ['S to T blossom', [[1, 2, 9], [1, 3, 8], [2, 3, 10], [1, 4, 5], [4, 5, 3], [3, 6, 4]]],
    ['nested S-blossom', [[1, 2, 9], [1, 3, 9], [2, 3, 10], [2, 4, 8], [3, 5, 8], [4, 5, 10], [5, 6, 6]]],
    ['relabel nested', [[1, 2, 10], [1, 7, 10], [2, 3, 12], [3, 4, 20], [3, 5, 20], [4, 5, 25], [5, 6, 10], [6, 7, 10], [7, 8, 8]]],
    ['nested expand', [[1, 2, 8], [1, 3, 8], [2, 3, 10], [2, 4, 12], [3, 5, 12], [4, 5, 14], [4, 6, 12], [5, 7, 12], [6, 7, 14], [7, 8, 12]]],
    ['S-T expand', [[1, 2, 23], [1, 5, 22], [1, 6, 15], [2, 3, 25], [3, 4, 22], [4, 5, 25], [4, 8, 14], [5, 7, 13]]],
    ['nested S-T expand', [[1, 2, 19], [1, 3, 20], [1, 8, 8], [2, 3, 25], [2, 4, 18], [3, 5, 18], [4, 5, 13], [4, 7, 7], [5, 6, 7]]],
    ['T nasty expand', [[1, 2, 45], [1, 5, 45], [2, 3, 50], [3, 4, 45], [4, 5, 50], [1, 6, 30], [3, 9, 35], [4, 8, 35], [5, 7, 26], [9, 10, 5]]],
    ['T expand least slack', [[1, 2, 45], [1, 5, 45], [2, 3, 50], [3, 4, 45], [4, 5, 50], [1, 6, 30], [3, 9, 35], [4, 8, 28], [5, 7, 26], [9, 10, 5]]],
    ['nested T nasty expand', [[1, 2, 45], [1, 7, 45], [2, 3, 50], [3, 4, 45], [4, 5, 95], [4, 6, 94], [5, 6, 94], [6, 7, 50],
      [1, 8, 30], [3, 11, 35], [5, 9, 36], [7, 10, 26], [11, 12, 5]]],
    ['nested relabel expand', [[1, 2, 40], [1, 3, 40], [2, 3, 60], [2, 4, 55], [3, 5, 55], [4, 5, 50], [1, 8, 15], [5, 7, 30],
      [7, 6, 10], [8, 10, 10], [4, 9, 30]]],
    ['float and negative scores', [[1, 2, Math.PI], [2, 3, Math.E], [1, 3, 3], [1, 4, Math.SQRT2], [2, 4, -1], [3, 4, -6]]],
  ];
  for (const [name, edges] of shapes) it(`is optimal on the ${name} case`, () => checkOptimal(graph(edges)));

  it('handles empty graphs, isolated nodes and all-negative scores', () => {
    expect(maxWeightMatching({ n: 0, left: new Int32Array(0), right: new Int32Array(0), score: new Float64Array(0) }).left.length).to.equal(0);
    expect(maxWeightMatching(graph([[0, 1, -1], [1, 2, 0]])).left.length).to.equal(0);
    expect([...maxWeightMatching({ n: 5, left: Int32Array.of(1), right: Int32Array.of(3), score: Float64Array.of(0.5) }).left]).to.deep.equal([1]);
  });

  it('matches the O(n³) implementation on 300 random graphs of 20–400 nodes (unique, tied and negative scores)', () => {
    const rnd = rng(54);
    for (let t = 0; t < 300; t++) {
      const n = 20 + Math.floor(rnd() * 381);
      const m = Math.floor((n * (1 + rnd() * 15)) / 2);
      const levels = 1 + Math.floor(rnd() * 4);
      const kind = t % 3;
      const score = kind === 0 ? rnd : kind === 1 ? () => (1 + Math.floor(rnd() * levels)) / 6 : () => rnd() * 1.5 - 0.5;
      checkAgainstReference(randomGraph(rnd, n, m, score), `graph ${t}`);
    }
  });

  it('matches the O(n³) implementation on 2,000 nodes and 30,000 edges, uniform and tied', () => {
    const rnd = rng(55);
    checkAgainstReference(randomGraph(rnd, 2000, 30000, rnd), 'uniform');
    checkAgainstReference(randomGraph(rnd, 2000, 30000, () => Math.ceil(rnd() * 6) / 6), 'tied');
  });

  describe('cases that break blossom codes', () => {
    it('many equal weights: every edge 1 (the maximum cardinality), and two levels', () => {
      const rnd = rng(56);
      for (let t = 0; t < 300; t++) checkOptimal(randomGeneral(rnd, { maxNodes: 9, density: 0.2 + rnd() * 0.8, ties: true, negatives: false }));
      for (let t = 0; t < 40; t++) {
        const n = 50 + Math.floor(rnd() * 300);
        checkAgainstReference(randomGraph(rnd, n, n * 4, () => 1), `unit ${t}`);
        checkAgainstReference(randomGraph(rnd, n, n * 4, () => (rnd() < 0.5 ? 0.5 : 1)), `two levels ${t}`);
      }
      // A complete graph of equal scores: every node paired.
      const n = 40;
      const l: number[] = [], r: number[] = [];
      for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) { l.push(a); r.push(b); }
      const k40 = canonicalGeneral({ n, left: Int32Array.from(l), right: Int32Array.from(r), score: new Float64Array(l.length).fill(0.7) });
      expect(maxWeightMatching(k40).left.length).to.equal(20);
    });

    it('odd cycles nested several levels deep', () => {
      // 2 levels: 13 nodes, small enough to enumerate; 3 to 5 levels (up to 364 nodes) against the reference.
      checkOptimal(nestedOddCycles(2, null));
      const rnd = rng(57);
      for (let t = 0; t < 20; t++) checkOptimal(nestedOddCycles(2, rnd));
      for (const depth of [3, 4, 5]) {
        checkAgainstReference(nestedOddCycles(depth, null), `depth ${depth}`);
        for (let t = 0; t < 5; t++) checkAgainstReference(nestedOddCycles(depth, rnd), `depth ${depth} jittered`);
      }
    });

    it('a graph that is only triangles: disjoint ones take their best edge, a windmill takes one edge per blade', () => {
      const rnd = rng(58);
      const tri = 200;
      const l: number[] = [], r: number[] = [], w: number[] = [];
      let best = 0;
      for (let t = 0; t < tri; t++) {
        const ws = [rnd(), rnd(), rnd()];
        l.push(3 * t, 3 * t + 1, 3 * t + 2);
        r.push(3 * t + 1, 3 * t + 2, 3 * t);
        w.push(...ws);
        best += Math.max(...ws);
      }
      const disjoint = canonicalGeneral({ n: 3 * tri, left: Int32Array.from(l), right: Int32Array.from(r), score: Float64Array.from(w) });
      const p = maxWeightMatching(disjoint);
      expect(p.left.length).to.equal(tri);
      expect(sumScores(p)).to.be.closeTo(best, 1e-9);
      // Windmill: blades (0, 2i+1, 2i+2) share node 0. Equal scores, then random ones.
      for (const equal of [true, false]) {
        const wl: number[] = [], wr: number[] = [], ww: number[] = [];
        for (let b = 0; b < 3; b++) {
          wl.push(0, 2 * b + 1, 0);
          wr.push(2 * b + 1, 2 * b + 2, 2 * b + 2);
          ww.push(...(equal ? [1, 1, 1] : [rnd(), rnd(), rnd()]));
        }
        checkOptimal(canonicalGeneral({ n: 7, left: Int32Array.from(wl), right: Int32Array.from(wr), score: Float64Array.from(ww) }));
      }
      const big = { l: [] as number[], r: [] as number[], w: [] as number[] };
      for (let b = 0; b < 300; b++) {
        big.l.push(0, 2 * b + 1, 0);
        big.r.push(2 * b + 1, 2 * b + 2, 2 * b + 2);
        big.w.push(rnd(), rnd(), rnd());
      }
      const windmill = canonicalGeneral({ n: 601, left: Int32Array.from(big.l), right: Int32Array.from(big.r), score: Float64Array.from(big.w) });
      checkAgainstReference(windmill, 'windmill');
    });

    it('nodes with no edges are never paired and change nothing', () => {
      const rnd = rng(59);
      for (let t = 0; t < 50; t++) {
        const g = randomGeneral(rnd, randomShape(rnd, 8));
        // The same edges on ids spread over 1,000 nodes: every other id is isolated.
        const spread = (x: number) => 3 * x + 7;
        const wide = canonicalGeneral({ n: 1000, left: g.left.map(spread), right: g.right.map(spread), score: g.score });
        const p = maxWeightMatching(wide);
        expect(sumScores(p)).to.be.closeTo(generalOptimum(g).weight, 1e-9);
        for (const id of [...p.left, ...p.right]) expect((id - 7) % 3).to.equal(0);
      }
    });

    it('zero and negative weights are never chosen, and never block a positive edge', () => {
      const rnd = rng(60);
      for (let t = 0; t < 300; t++) {
        const g = randomGeneral(rnd, { maxNodes: 9, density: 0.3 + rnd() * 0.7, ties: rnd() < 0.5, negatives: true });
        checkOptimal(g);
        const p = maxWeightMatching(g);
        for (const s of p.score) expect(s).to.be.greaterThan(0);
      }
      expect(maxWeightMatching(graph([[0, 1, 0], [1, 2, 0], [2, 0, 0]])).left.length).to.equal(0);
      expect(maxWeightMatching(graph([[0, 1, -0.5], [1, 2, -1], [2, 3, -0.1]])).left.length).to.equal(0);
      // A path whose middle edge is heaviest but cannot beat the two outer ones together, among zeros.
      const p = maxWeightMatching(graph([[0, 1, 0.6], [1, 2, 1], [2, 3, 0.6], [0, 3, 0], [0, 2, -1], [1, 3, 0]]));
      expect(pairsKey(p)).to.equal('0-1:0.6 2-3:0.6');
    });
  });

  it('is deterministic', () => {
    const rnd = rng(53);
    for (let t = 0; t < 100; t++) {
      const g = randomGeneral(rnd, { maxNodes: 9, density: 0.6, ties: true, negatives: false });
      expect(pairsKey(maxWeightMatching(g))).to.equal(pairsKey(maxWeightMatching(g)));
    }
  });
});

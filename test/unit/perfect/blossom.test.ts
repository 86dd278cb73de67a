import { expect } from 'chai';
import { maxWeightMatching } from '../../../src/matching/perfect/blossom.ts';
import { canonicalGeneral, type GeneralGraph } from '../../../src/matching/perfect/graph.ts';
import { assertMatchingOf, generalOptimum, pairsKey, randomGeneral, randomShape, rng, sumScores } from './oracle.ts';

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

  it('is deterministic', () => {
    const rnd = rng(53);
    for (let t = 0; t < 100; t++) {
      const g = randomGeneral(rnd, { maxNodes: 9, density: 0.6, ties: true, negatives: false });
      expect(pairsKey(maxWeightMatching(g))).to.equal(pairsKey(maxWeightMatching(g)));
    }
  });
});

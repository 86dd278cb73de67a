// A score explained key by key: the explanation's total is the score the scorer computes (pair and
// row form), bit for bit, whatever the page layout; the rules are the ones the header of
// compatibilityScorer.ts states.
import { expect } from 'chai';
import { CompatibilityScorer } from '../../../src/matching/compatibilityScorer.ts';
import { encodePage, type NodeInput } from '../../../src/matching/encodedPage.ts';
import { JaccardScorer } from '../../../src/matching/jaccardScorer.ts';
import type { PairScorer } from '../../../src/matching/pairScorer.ts';
import { seededRandom } from '../../../src/synthetic/random.ts';

const node = (metadata: Record<string, string>, referenceId = 'x'): NodeInput => ({ referenceId, metadata });

function randomNodes(seed: number, n: number): NodeInput[] {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const values = ['london', 'London', 'new york', 'york', '10', '4', '100', '-7', '0', 'java;go', 'go', 'python, java', 'java',
    '5 years', '5', '', 'senior engineer', 'engineer', 'a;b;c', 'c', '0.1', '0.3'];
  const keys = ['city', 'lang', 'skills', 'years', 'title', 'z'];
  return Array.from({ length: n }, (_, i) => {
    const m: Record<string, string> = {};
    for (const k of keys) if (rnd() < 0.7) m[k] = pick(values);
    return node(m, `n${i}`);
  });
}

function checkAgainstScore(scorer: PairScorer, nodes: NodeInput[]): void {
  const half = nodes.length / 2;
  const layouts = [
    [encodePage(nodes.slice(0, half)), encodePage(nodes.slice(half)), 0],
    [encodePage(nodes), encodePage(nodes), half],
  ] as const;
  for (const [A, B, offset] of layouts) {
    const bound = scorer.bind(A, B);
    const out = new Float64Array(half);
    const bs = Int32Array.from({ length: half }, (_, i) => offset + i);
    for (let a = 0; a < half; a++) {
      bound.scoreRow(a, bs, out);
      for (let y = 0; y < half; y++) {
        const b = bs[y];
        const e = bound.explain(a, b);
        expect(Object.is(e.score, bound.score(a, b)), `${a},${b}`).to.equal(true);
        expect(Object.is(e.score, out[y]), `${a},${b} row form`).to.equal(true);
        expect(e.keys.map((k) => k.key)).to.deep.equal([...e.keys.map((k) => k.key)].sort());
        const either = new Set([...Object.keys(nodes[a].metadata), ...Object.keys(nodes[half + y].metadata)]
          .filter((k) => (nodes[a].metadata[k] ?? '').trim() !== '' || (nodes[half + y].metadata[k] ?? '').trim() !== ''));
        expect(new Set(e.keys.map((k) => k.key))).to.deep.equal(either);
        const union = e.keys.reduce((s, k) => s + k.weight, 0);
        expect(e.union).to.be.closeTo(union, 1e-12);
        expect(e.matched).to.be.closeTo(e.keys.reduce((s, k) => s + k.weight * k.share, 0), 1e-12);
      }
    }
  }
}

describe('explaining a score', () => {
  it('metadata-compatibility: the explanation totals to score() and scoreRow() bit for bit, across page layouts', () => {
    checkAgainstScore(new CompatibilityScorer({ weights: { city: 2, years: 0.5, z: 0 } }), randomNodes(5, 60));
    checkAgainstScore(new CompatibilityScorer(), randomNodes(6, 40));
  });

  it('item-jaccard: the same', () => {
    checkAgainstScore(new JaccardScorer(), randomNodes(7, 40));
  });

  it('names the rule of every key', () => {
    const scorer = new CompatibilityScorer({ weights: { city: 3 } });
    const a = node({ city: 'London', years: '10', age: '30', title: 'senior engineer', skills: 'java;go', lang: 'en', only: 'x' });
    const b = node({ city: 'london', years: '4', age: '90', title: 'engineer', skills: 'go;rust', lang: 'fr', mine: 'y' });
    const e = scorer.bind(encodePage([a]), encodePage([b])).explain(0, 0);
    const rules = Object.fromEntries(e.keys.map((k) => [k.key, [k.rule, k.weight, k.share]]));
    expect(rules).to.deep.equal({
      age: ['numeric-outside', 1, 0],
      city: ['exact', 3, 1],
      lang: ['none', 1, 0],
      mine: ['only-b', 1, 0],
      only: ['only-a', 1, 0],
      skills: ['shared-item', 1, 1],
      title: ['partial', 1, 0.5],
      years: ['numeric-within', 1, 1],
    });
    // 3 + 1 + 1 + 0.5 of 3 + 7 keys' weight
    expect(e.matched).to.equal(5.5);
    expect(e.union).to.equal(10);
    expect(e.score).to.equal(0.55);
  });
});

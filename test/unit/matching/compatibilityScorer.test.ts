import { expect } from 'chai';
import { CompatibilityScorer } from '../../../src/matching/compatibilityScorer.ts';
import { encodePage, type NodeInput } from '../../../src/matching/encodedPage.ts';
import { readValue } from '../../../src/matching/metadataValue.ts';
import { alignPages } from '../../../src/matching/pagePairAlignment.ts';
import { seededRandom } from '../../../src/synthetic/random.ts';

const node = (metadata: Record<string, string>, referenceId = 'x'): NodeInput => ({ referenceId, metadata });

/** Score of two nodes, each in its own page (the cross-page path). */
function pair(a: Record<string, string>, b: Record<string, string>, scorer = new CompatibilityScorer()): number {
  return scorer.bind(encodePage([node(a)]), encodePage([node(b)])).score(0, 0);
}

/** The rules of compatibilityScorer.ts, written naively over strings (per-key scores as fractions of 0.7): the oracle. */
function oracle(a: Record<string, string>, b: Record<string, string>, weights: Record<string, number> = {}): number {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  let sum = 0;
  let union = 0;
  let common = 0;
  let presentA = 0;
  let presentB = 0;
  for (const k of keys) {
    const w = weights[k] ?? 1;
    const x = readValue(a[k]);
    const y = readValue(b[k]);
    if (x.kind !== 'missing') presentA += w;
    if (y.kind !== 'missing') presentB += w;
  }
  for (const k of keys) {
    const x = readValue(a[k]);
    const y = readValue(b[k]);
    if (x.kind === 'missing' || y.kind === 'missing') continue;
    const w = weights[k] ?? 1;
    common += w;
    if (x.kind === 'number' && y.kind === 'number') {
      if (Math.abs(x.num - y.num) <= 0.6 * Math.max(Math.abs(x.num), Math.abs(y.num))) sum += w;
    } else if (x.kind !== 'multi' && y.kind !== 'multi') {
      const s = x.items[0];
      const t = y.items[0];
      sum += s === t ? w : s.includes(t) || t.includes(s) ? w * (0.35 / 0.7) : 0;
    } else if (x.items.some((i) => y.items.includes(i))) sum += w;
  }
  union = presentA + presentB - common;
  return union > 0 ? sum / union : 0;
}

describe('CompatibilityScorer (the MetadataCompatibilityCalculator rules)', () => {
  it('exact text match scores 1; normalization makes case and spaces irrelevant', () => {
    expect(pair({ city: 'London' }, { city: 'london' })).to.equal(1);
    expect(pair({ city: ' New  York' }, { city: 'new york ' })).to.equal(1);
    expect(pair({ city: 'london' }, { city: 'paris' })).to.equal(0);
  });

  it('numbers match within 60% of the larger magnitude, boundary included', () => {
    expect(pair({ y: '10' }, { y: '4' })).to.equal(1); // |10-4| = 6 = 0.6 × 10
    expect(pair({ y: '10' }, { y: '3.99' })).to.equal(0);
    expect(pair({ y: '-10' }, { y: '-4' })).to.equal(1);
    expect(pair({ y: '-1' }, { y: '1' })).to.equal(0);
    expect(pair({ y: '0' }, { y: '0.0' })).to.equal(1);
    expect(pair({ y: '0' }, { y: '0.001' })).to.equal(0);
  });

  it('numbers never get the partial score', () => {
    expect(pair({ y: '10' }, { y: '100' })).to.equal(0); // "100" contains "10", but both are numbers
  });

  it('partial: one value contains the other scores 0.35 (half of exact)', () => {
    expect(pair({ title: 'engineer' }, { title: 'Senior Engineer' })).to.equal(0.5);
    expect(pair({ title: 'senior engineer' }, { title: 'engineer' })).to.equal(0.5);
    expect(pair({ title: 'engineer' }, { title: 'engine' })).to.equal(0.5);
    expect(pair({ title: 'engineer' }, { title: 'engineers' })).to.equal(0.5);
    expect(pair({ title: 'engineer' }, { title: 'enginer' })).to.equal(0);
  });

  it('a number against a text compares as strings (partial applies)', () => {
    expect(pair({ y: '5' }, { y: '5 years' })).to.equal(0.5);
  });

  it('lists match when they share an item, and never partially', () => {
    expect(pair({ s: 'a;b' }, { s: 'B, c' })).to.equal(1);
    expect(pair({ s: 'a;b' }, { s: 'c' })).to.equal(0);
    expect(pair({ s: 'java' }, { s: 'python;java' })).to.equal(1);
    expect(pair({ s: 'java;go' }, { s: 'javascript' })).to.equal(0);
    expect(pair({ s: 'java;go' }, { s: 'javascript;rust' })).to.equal(0);
  });

  it('normalizes by the keys either node has; missing and empty values do not count', () => {
    expect(pair({ city: 'x', lang: 'en' }, { city: 'x' })).to.equal(0.5);
    expect(pair({ city: 'x', lang: 'en' }, { city: 'x', lang: '  ' })).to.equal(0.5);
    expect(pair({ city: 'x', lang: 'en' }, { city: 'x', lang: 'en', extra: 'y' })).to.be.closeTo(2 / 3, 1e-15);
    expect(pair({}, {})).to.equal(0);
    expect(pair({ a: 'x' }, { b: 'x' })).to.equal(0);
  });

  it('keeps list items out of the relation matrix (a many-valued tag key stays cheap)', () => {
    const tags = (i: number) => Array.from({ length: 40 }, (_, t) => `tag-${i}-${t}`).join(';');
    const a = encodePage(Array.from({ length: 30 }, (_, i) => node({ tags: tags(i), city: i % 2 ? 'x' : 'y' })));
    const b = encodePage(Array.from({ length: 30 }, (_, i) => node({ tags: tags(i + 15), city: 'x' })));
    const al = alignPages(a, b);
    expect(al.rel.length).to.equal(2 * 1); // city: singles {x, y} × {x}; tags: no single values
    expect(new CompatibilityScorer().bind(a, b).score(21, 6)).to.equal(1);
    expect(new CompatibilityScorer().bind(a, b).score(20, 5)).to.equal(0.5);
  });

  it('per-key weights', () => {
    const scorer = new CompatibilityScorer({ weights: { city: 3 } });
    expect(pair({ city: 'x', lang: 'en' }, { city: 'x', lang: 'fr' }, scorer)).to.equal(0.75);
    expect(pair({ city: 'x', lang: 'en' }, { city: 'y', lang: 'en' }, scorer)).to.equal(0.25);
    expect(() => new CompatibilityScorer({ weights: { city: -1 } })).to.throw();
  });

  it('threshold is strict: an edge at exactly the threshold is dropped', () => {
    const scorer = new CompatibilityScorer({ threshold: 0.5 });
    expect(scorer.threshold).to.equal(0.5);
    expect(pair({ a: 'x', b: 'y' }, { a: 'x', b: 'z' }, scorer)).to.equal(0.5);
    expect(new CompatibilityScorer().threshold).to.equal(0.05);
  });

  it('matches the naive oracle bit for bit, symmetric, same in row and pair form, across page layouts', () => {
    const rnd = seededRandom(3);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
    const values = ['london', 'London', 'new york', 'york', 'new', '10', '4', '100', '-7', '0', 'java;go', 'go', 'python, java',
      'java', '5 years', '5', '', 'senior engineer', 'engineer', 'a;b;c', 'c'];
    const keys = ['city', 'lang', 'skills', 'years', 'title', 'z'];
    const md = (): Record<string, string> => {
      const m: Record<string, string> = {};
      for (const k of keys) if (rnd() < 0.7) m[k] = pick(values);
      return m;
    };
    const nodes = Array.from({ length: 60 }, (_, i) => node(md(), `n${i}`));
    const weights = { city: 2, years: 1, z: 0 };
    const scorer = new CompatibilityScorer({ weights });
    const A = encodePage(nodes.slice(0, 30));
    const B = encodePage(nodes.slice(30));
    const all = encodePage(nodes);
    const ab = scorer.bind(A, B);
    const ba = scorer.bind(B, A);
    const same = scorer.bind(all, all);
    const out = new Float64Array(30);
    const bs = Int32Array.from({ length: 30 }, (_, i) => i);
    for (let i = 0; i < 30; i++) {
      ab.scoreRow(i, bs, out);
      for (let j = 0; j < 30; j++) {
        const want = oracle(nodes[i].metadata as Record<string, string>, nodes[30 + j].metadata as Record<string, string>, weights);
        expect(ab.score(i, j), `${i},${j}`).to.equal(want);
        expect(out[j]).to.equal(want);
        expect(ba.score(j, i)).to.equal(want);
        expect(same.score(i, 30 + j)).to.equal(want);
      }
    }
  });

  it('the row form equals the pair form with unit weights (fast paths) on complete keys', () => {
    const rnd = seededRandom(11);
    const nodes = Array.from({ length: 80 }, (_, i) => node({
      a: String(Math.floor(rnd() * 5)), b: ['x', 'xy', 'y', 'z'][Math.floor(rnd() * 4)], n: String(Math.floor(rnd() * 30)),
    }, `n${i}`));
    const scorer = new CompatibilityScorer();
    const A = encodePage(nodes.slice(0, 40));
    const B = encodePage(nodes.slice(40));
    const bound = scorer.bind(A, B);
    const out = new Float64Array(40);
    const bs = Int32Array.from({ length: 40 }, (_, i) => 39 - i);
    for (let i = 0; i < 40; i++) {
      bound.scoreRow(i, bs, out);
      for (let y = 0; y < 40; y++) {
        expect(out[y]).to.equal(oracle(nodes[i].metadata as Record<string, string>, nodes[40 + bs[y]].metadata as Record<string, string>));
      }
    }
  });
});

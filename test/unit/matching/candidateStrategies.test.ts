import { expect } from 'chai';
import { CompatibilityScorer } from '../../../src/matching/compatibilityScorer.ts';
import { encodePage, SIDE_LEFT, SIDE_RIGHT, type EncodedPage, type NodeInput } from '../../../src/matching/encodedPage.ts';
import { scoreFlat } from '../../../src/matching/flatStrategy.ts';
import { flatGroupTopK, lshGroupTopK } from '../../support/groupTopK.ts';
import { candidateProbability, collisionKey, lshParamsFrom, rowsPerBand } from '../../../src/matching/lshStrategy.ts';
import { hashString } from '../../../src/matching/hash32.ts';
import type { LshParams } from '../../../src/matching/minhash.ts';
import { consecutive, noRows, pageSide } from '../../../src/matching/pageSide.ts';
import { recallAtK } from '../../support/recall.ts';
import { createScorer } from '../../../src/matching/scorerRegistry.ts';
import { TopK } from '../../../src/matching/topK.ts';
import { seededRandom } from '../../../src/synthetic/random.ts';
import { syntheticPeople } from '../../../src/synthetic/people.ts';

const DEFAULT_LSH: LshParams = lshParamsFrom({ tables: 5, bandsPerTable: 20, similarityThreshold: 0.55, seed: 1, numericTolerance: 0.6 });

function paginate(nodes: NodeInput[], size: number, opts: Parameters<typeof encodePage>[1] = {}): EncodedPage[] {
  const pages: EncodedPage[] = [];
  for (let i = 0; i < nodes.length; i += size) pages.push(encodePage(nodes.slice(i, i + size), opts));
  return pages;
}

/** Oracle: every ordered pair scored with score(), sorted, truncated. */
function bruteForce(nodes: NodeInput[], k: number, allowed: (i: number, j: number) => boolean = () => true) {
  const scorer = new CompatibilityScorer();
  const page = encodePage(nodes);
  const bound = scorer.bind(page, page);
  return nodes.map((_, i) => {
    const row: Array<{ id: number; score: number }> = [];
    for (let j = 0; j < nodes.length; j++) {
      if (i === j || !allowed(i, j)) continue;
      const s = bound.score(i, j);
      if (s > scorer.threshold) row.push({ id: j, score: s });
    }
    return row.sort((x, y) => y.score - x.score || x.id - y.id).slice(0, k);
  });
}

describe('candidate strategies', () => {
  const people = [...syntheticPeople({ count: 230, seed: 21, types: [['MENTOR', 0.35], ['MENTEE', 0.65]] })] as NodeInput[];

  it('flat (symmetric, page pairs i ≤ j, both directions) equals the brute-force oracle', () => {
    const truth = bruteForce(people, 15);
    const { topK, pairsScored } = flatGroupTopK(new CompatibilityScorer(), { pages: paginate(people, 60) }, 15);
    expect(pairsScored).to.equal((230 * 229) / 2);
    for (let u = 0; u < people.length; u++) expect(topK.sorted(u), `node ${u}`).to.deep.equal(truth[u]);
  });

  it('flat row jobs (one page of rows against every page, directed) equal the triangle', () => {
    const scorer = new CompatibilityScorer();
    const pages = paginate(people, 50);
    const triangle = flatGroupTopK(scorer, { pages }, 10).topK;
    const rows = new TopK(people.length, 10);
    const off = [0, 50, 100, 150, 200];
    pages.forEach((p, i) => {
      const r = pageSide(p, consecutive(p.size, off[i]), consecutive(p.size, off[i]));
      pages.forEach((q, j) => scoreFlat(scorer, r, pageSide(q, consecutive(q.size, off[j]), noRows(q.size)), rows, { mirror: false }));
    });
    for (let u = 0; u < people.length; u++) expect(rows.sorted(u)).to.deep.equal(triangle.sorted(u));
  });

  it('bipartite: left nodes only get right neighbours and the reverse; equals the oracle', () => {
    const partition = { key: 'type', leftValues: ['MENTOR'], rightValues: ['MENTEE'] };
    const pages = paginate(people, 70, { partition });
    const side = (i: number) => pages[Math.floor(i / 70)].side[i % 70];
    const truth = bruteForce(people, 12, (i, j) => side(i) + side(j) === SIDE_LEFT + SIDE_RIGHT);
    const { topK } = flatGroupTopK(new CompatibilityScorer(), { pages, bipartite: true }, 12);
    for (let u = 0; u < people.length; u++) {
      expect(topK.sorted(u)).to.deep.equal(truth[u]);
      for (const e of topK.sorted(u)) expect(side(e.id)).to.not.equal(side(u));
    }
    const lsh = lshGroupTopK(new CompatibilityScorer(), { pages: paginate(people, 70, { partition, lsh: DEFAULT_LSH }), bipartite: true }, 12);
    for (let u = 0; u < people.length; u++) for (const e of lsh.topK.sorted(u)) expect(side(e.id)).to.not.equal(side(u));
  });

  it('an edge scoring exactly the threshold is dropped by flat and LSH; just above it is kept', () => {
    // a and b share 1 of 2 keys (score 0.5), a and c 2 of 3 (0.667), b and c 1 of 3 (0.333)
    const nodes: NodeInput[] = [
      { referenceId: 'a', metadata: { k1: 'x', k2: 'y' } },
      { referenceId: 'b', metadata: { k1: 'x', k2: 'z' } },
      { referenceId: 'c', metadata: { k1: 'x', k2: 'y', k3: 'w' } },
    ];
    const scorer = new CompatibilityScorer({ threshold: 0.5 });
    const flat = flatGroupTopK(scorer, { pages: [encodePage(nodes)] }, 5).topK;
    expect(flat.sorted(0)).to.deep.equal([{ id: 2, score: 2 / 3 }]);
    expect(flat.sorted(1)).to.deep.equal([]);
    expect(flat.sorted(2)).to.deep.equal([{ id: 0, score: 2 / 3 }]);
    const params = lshParamsFrom({ tables: 20, bandsPerTable: 20, similarityThreshold: 0.2, seed: 1, numericTolerance: 0.6 });
    const lsh = lshGroupTopK(scorer, { pages: [encodePage(nodes, { lsh: params })] }, 5).topK;
    for (let u = 0; u < 3; u++) expect(lsh.sorted(u)).to.deep.equal(flat.sorted(u));
  });

  it('another scorer can be chosen by name', () => {
    const scorer = createScorer('item-jaccard');
    const a = encodePage([{ referenceId: 'a', metadata: { s: 'x;y', c: 'p' } }]);
    const b = encodePage([{ referenceId: 'b', metadata: { s: 'y;z', c: 'p' } }]);
    expect(scorer.bind(a, b).score(0, 0)).to.equal((1 / 3 + 1) / 2);
    expect(() => createScorer('nope')).to.throw(/unknown scorer/);
    expect(createScorer().name).to.equal('metadata-compatibility');
  });

  it('LSH rows per band centre the S-curve on the threshold', () => {
    expect(rowsPerBand(100, 0.55)).to.equal(8);
    expect(DEFAULT_LSH).to.include({ bands: 100, rows: 8 });
    expect(candidateProbability(0.55, 100, 8)).to.be.within(0.5, 0.7);
    expect(candidateProbability(0.9, 100, 8)).to.be.greaterThan(0.999);
    expect(candidateProbability(0.25, 100, 8)).to.be.lessThan(0.01);
  });

  it('LSH finds planted near-duplicates and reaches recall@K ≥ 0.95 against flat, scoring far fewer pairs', function () {
    this.timeout(60000);
    const rnd = seededRandom(77);
    const base = [...syntheticPeople({ count: 2800, seed: 13 })] as NodeInput[];
    const planted: Array<[number, number]> = [];
    const nodes = [...base];
    // near-duplicates: a copy of a random node with one key changed
    for (let i = 0; i < 200; i++) {
      const src = Math.floor(rnd() * base.length);
      const md = { ...base[src].metadata };
      const keys = Object.keys(md);
      md[keys[Math.floor(rnd() * keys.length)]] = `changed-${i}`;
      planted.push([src, nodes.length]);
      nodes.push({ referenceId: `dup-${i}`, metadata: md });
    }
    const K = 50;
    const scorer = new CompatibilityScorer();
    const flat = flatGroupTopK(scorer, { pages: paginate(nodes, 500) }, K);
    const lsh = lshGroupTopK(scorer, { pages: paginate(nodes, 500, { lsh: DEFAULT_LSH }) }, K);
    const { recall } = recallAtK(flat.topK, lsh.topK);
    expect(recall).to.be.at.least(0.95);
    const found = planted.filter(([a, b]) => lsh.topK.sorted(a).some((e) => e.id === b) && lsh.topK.sorted(b).some((e) => e.id === a));
    expect(found.length / planted.length).to.be.at.least(0.97);
    // pairs scored by LSH (directed) against the directed pairs flat would score
    expect(lsh.pairsScored / (nodes.length * (nodes.length - 1))).to.be.lessThan(0.5);
  });

  it('LSH with a candidate limit scores a capped node against its best colliders only (most bands, then pair hash); equals the oracle', () => {
    const LIMIT = 12;
    const K = 10;
    const pages = paginate(people, 60, { lsh: DEFAULT_LSH });
    const scorer = new CompatibilityScorer();
    const whole = encodePage(people);
    const bound = scorer.bind(whole, whole);
    const bandsOf = (i: number) => {
      const p = pages[Math.floor(i / 60)];
      const x = i % 60;
      return p.lsh!.hasTokens[x] ? p.lsh!.bandKeys.subarray(x * 100, x * 100 + 100) : null;
    };
    let capped = 0;
    const truth = people.map((_, i) => {
      const mine = bandsOf(i);
      const colliders: Array<{ id: number; key: number }> = [];
      for (let j = 0; j < people.length; j++) {
        const theirs = bandsOf(j);
        if (i === j || !mine || !theirs) continue;
        let shared = 0;
        for (let b = 0; b < 100; b++) if (mine[b] === theirs[b]) shared++;
        if (shared) colliders.push({ id: j, key: collisionKey(shared, hashString(people[i].referenceId), hashString(people[j].referenceId)) });
      }
      colliders.sort((a, b) => b.key - a.key || a.id - b.id);
      if (colliders.length > LIMIT) capped++;
      return colliders.slice(0, LIMIT)
        .map((c) => ({ id: c.id, score: bound.score(i, c.id) }))
        .filter((e) => e.score > scorer.threshold)
        .sort((x, y) => y.score - x.score || x.id - y.id)
        .slice(0, K);
    });
    expect(capped, 'a third of the nodes are over the limit').to.be.greaterThan(people.length / 3);
    const lsh = lshGroupTopK(scorer, { pages }, K, LIMIT);
    expect(lsh.capped).to.equal(capped);
    for (let u = 0; u < people.length; u++) expect(lsh.topK.sorted(u), `node ${u}`).to.deep.equal(truth[u]);
    // and without a limit every collider is scored
    const free = lshGroupTopK(scorer, { pages }, K);
    expect(free.capped).to.equal(0);
    expect(lsh.pairsScored).to.be.lessThan(free.pairsScored);
  });
});

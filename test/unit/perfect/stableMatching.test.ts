import { expect } from 'chai';
import { stableMatching } from '../../../src/matching/perfect/stableMatching.ts';
import type { BipartiteGraph, Pairs } from '../../../src/matching/perfect/graph.ts';
import { allMatchings, pairsKey, randomBipartite, randomShape, rng } from './oracle.ts';

/** rank[e] among the edges of the same node on one side: score desc, then other-side id asc. */
function ranks(g: BipartiteGraph, side: 'left' | 'right', score: Float64Array): Int32Array {
  const own = side === 'left' ? g.left : g.right, other = side === 'left' ? g.right : g.left;
  const rank = new Int32Array(g.left.length);
  const byNode = new Map<number, number[]>();
  for (let e = 0; e < own.length; e++) byNode.set(own[e], [...(byNode.get(own[e]) ?? []), e]);
  for (const list of byNode.values()) {
    list.sort((a, b) => score[b] - score[a] || other[a] - other[b]);
    list.forEach((e, r) => (rank[e] = r));
  }
  return rank;
}

/** Blocking pairs of a (many-to-many) matching: acceptable edges outside it that both ends would take. */
function blockingPairs(g: BipartiteGraph, chosen: Set<number>, lcap: Int32Array, rcap: Int32Array, rightScore: Float64Array): number[] {
  const lr = ranks(g, 'left', g.score), rr = ranks(g, 'right', rightScore);
  const worstL = new Map<number, number>(), worstR = new Map<number, number>();
  const countL = new Map<number, number>(), countR = new Map<number, number>();
  for (const e of chosen) {
    const i = g.left[e], j = g.right[e];
    countL.set(i, (countL.get(i) ?? 0) + 1);
    countR.set(j, (countR.get(j) ?? 0) + 1);
    worstL.set(i, Math.max(worstL.get(i) ?? -1, lr[e]));
    worstR.set(j, Math.max(worstR.get(j) ?? -1, rr[e]));
  }
  const out: number[] = [];
  for (let e = 0; e < g.left.length; e++) {
    if (chosen.has(e) || !(g.score[e] > 0 && rightScore[e] > 0)) continue;
    const i = g.left[e], j = g.right[e];
    const iWants = (countL.get(i) ?? 0) < lcap[i] || lr[e] < (worstL.get(i) ?? -1);
    const jWants = (countR.get(j) ?? 0) < rcap[j] || rr[e] < (worstR.get(j) ?? -1);
    if (iWants && jWants) out.push(e);
  }
  return out;
}

function edgesOf(g: BipartiteGraph, p: Pairs): Set<number> {
  const out = new Set<number>();
  for (let t = 0; t < p.left.length; t++) for (let e = 0; e < g.left.length; e++) if (g.left[e] === p.left[t] && g.right[e] === p.right[t]) out.add(e);
  return out;
}

describe('perfect/stableMatching', () => {
  it('one-to-one: stable, and the best stable matching for every proposer (400 graphs, asymmetric preferences)', () => {
    const rnd = rng(71);
    for (let t = 0; t < 400; t++) {
      const g = randomBipartite(rnd, randomShape(rnd, 6));
      const rightScore = rnd() < 0.5 ? g.score : Float64Array.from(g.score, () => Math.floor(rnd() * 4) - (rnd() < 0.2 ? 1 : 0));
      const p = stableMatching(g, { rightScore });
      const chosen = edgesOf(g, p);
      const ones = (n: number) => new Int32Array(n).fill(1);
      expect(blockingPairs(g, chosen, ones(g.nLeft), ones(g.nRight), rightScore)).to.deep.equal([]);
      // Exhaustive: among all stable matchings of acceptable edges, no proposer does better.
      const lr = ranks(g, 'left', g.score);
      const partnerRank = (set: Iterable<number>) => { const m = new Map<number, number>(); for (const e of set) m.set(g.left[e], lr[e]); return m; };
      const mine = partnerRank(chosen);
      for (const mm of allMatchings(g.left, g.right, g.nLeft, g.nLeft + g.nRight)) {
        if (mm.some((e) => !(g.score[e] > 0 && rightScore[e] > 0))) continue;
        const set = new Set(mm);
        if (blockingPairs(g, set, ones(g.nLeft), ones(g.nRight), rightScore).length > 0) continue;
        for (const [i, r] of partnerRank(set)) expect(mine.has(i) && mine.get(i)! <= r, `left ${i} could do better`).to.equal(true);
      }
    }
  });

  it('with capacities: respected on both sides and no blocking pair (400 graphs)', () => {
    const rnd = rng(72);
    for (let t = 0; t < 400; t++) {
      const g = randomBipartite(rnd, randomShape(rnd, 7));
      const lcap = Int32Array.from({ length: g.nLeft }, () => (rnd() < 0.7 ? 1 : Math.floor(rnd() * 3)));
      const rcap = Int32Array.from({ length: g.nRight }, () => Math.floor(rnd() * 4));
      const p = stableMatching(g, { leftCapacity: lcap, rightCapacity: rcap });
      const cl = new Int32Array(g.nLeft), cr = new Int32Array(g.nRight);
      for (let k = 0; k < p.left.length; k++) { cl[p.left[k]]++; cr[p.right[k]]++; expect(p.score[k]).to.be.greaterThan(0); }
      for (let i = 0; i < g.nLeft; i++) expect(cl[i]).to.be.at.most(lcap[i]);
      for (let j = 0; j < g.nRight; j++) expect(cr[j]).to.be.at.most(rcap[j]);
      expect(blockingPairs(g, edgesOf(g, p), lcap, rcap, g.score)).to.deep.equal([]);
    }
  });

  it('hospitals/residents: a hospital of capacity 2 takes its two best applicants', () => {
    const g = { nLeft: 3, nRight: 1, left: Int32Array.of(0, 1, 2), right: Int32Array.of(0, 0, 0), score: Float64Array.of(0.5, 0.9, 0.7) };
    expect(pairsKey(stableMatching(g, { rightCapacity: 2 }))).to.equal('1-0:0.9 2-0:0.7');
  });

  it('breaks equal scores towards lower ids, the same way every run', () => {
    const g = { nLeft: 2, nRight: 2, left: Int32Array.of(0, 0, 1, 1), right: Int32Array.of(0, 1, 0, 1), score: new Float64Array(4).fill(1) };
    expect(pairsKey(stableMatching(g))).to.equal('0-0:1 1-1:1');
  });

  it('refuses bad capacities', () => {
    const g = { nLeft: 1, nRight: 1, left: Int32Array.of(0), right: Int32Array.of(0), score: Float64Array.of(1) };
    expect(() => stableMatching(g, { rightCapacity: -1 })).to.throw(RangeError);
    expect(() => stableMatching(g, { leftCapacity: Int32Array.of(1, 1) })).to.throw(RangeError);
  });
});

// mergeSurvivors against brute force: a node's ranking over a random set of neighbours, some of
// which change; the merge of its stored prefix with fresh scores of the changed ones must be a
// prefix of its true new ranking, or null only when the stored prefix cannot tell.
import { expect } from 'chai';
import { mergeSurvivors, ranksBefore, sortRanked } from '../../../src/matching/rankedList.ts';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return (s >>> 8) / 2 ** 24;
  };
}

/** Ranked ids/scores of a map id → score, best first. */
function ranking(scores: Map<number, number>) {
  return sortRanked([...scores.keys()], [...scores.values()]);
}

describe('matching/rankedList', () => {
  it('ranksBefore: higher score first, then the smaller id', () => {
    expect(ranksBefore(0.5, 9, 0.4, 1)).to.equal(true);
    expect(ranksBefore(0.5, 1, 0.5, 2)).to.equal(true);
    expect(ranksBefore(0.5, 2, 0.5, 2)).to.equal(false);
  });

  it('is a prefix of the true ranking, and settles whenever the stored prefix can', () => {
    let settled = 0;
    let unsettled = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const r = rng(seed);
      const n = 5 + Math.floor(r() * 60);
      const k = 1 + Math.floor(r() * 8);
      const keep = k + Math.floor(r() * 6);
      // scores on a coarse grid: many ties
      const grid = () => Math.round(r() * 10) / 10;
      const old = new Map<number, number>();
      for (let id = 0; id < n; id++) if (r() < 0.8) old.set(id, grid());
      const stored = ranking(old);
      const storedN = Math.min(keep, stored.ids.length);
      const exhaustive = stored.ids.length <= keep;
      // some neighbours change (new score or gone), a few are new
      const changed = new Set<number>();
      const now = new Map<number, number>();
      for (let id = 0; id < n + 5; id++) {
        if (id >= n || r() < 0.2) {
          changed.add(id);
          if (r() < 0.8) now.set(id, grid());
        } else if (old.has(id)) now.set(id, old.get(id)!);
      }
      const truth = ranking(now);
      const survivors = { ids: [] as number[], scores: [] as number[] };
      for (let j = 0; j < storedN; j++) {
        if (!changed.has(stored.ids[j])) {
          survivors.ids.push(stored.ids[j]);
          survivors.scores.push(stored.scores[j]);
        }
      }
      const freshAll = ranking(new Map([...now].filter(([id]) => changed.has(id))));
      const fresh = { ids: freshAll.ids.slice(0, keep), scores: freshAll.scores.slice(0, keep) };
      const merged = mergeSurvivors({ ids: Int32Array.from(survivors.ids), scores: Float64Array.from(survivors.scores), exhaustive },
        fresh, freshAll.ids.length <= keep, keep, k);
      // how far the stored prefix really tells: the survivors, and every fresh entry above the last
      if (merged) {
        settled++;
        expect(Array.from(merged.ids)).to.deep.equal(Array.from(truth.ids.slice(0, merged.ids.length)), `seed ${seed}`);
        expect(Array.from(merged.scores)).to.deep.equal(Array.from(truth.scores.slice(0, merged.ids.length)));
        expect(merged.ids.length >= Math.min(k, truth.ids.length)).to.equal(true);
        if (merged.exhaustive) expect(merged.ids.length).to.equal(truth.ids.length);
        else expect(merged.ids.length).to.be.at.most(keep);
      } else {
        unsettled++;
        // null only when the list may go on below the known part
        expect(exhaustive && freshAll.ids.length <= keep).to.equal(false, `seed ${seed}`);
      }
    }
    expect(settled).to.be.greaterThan(1000);
    expect(unsettled).to.be.greaterThan(100);
  });

  it('a list that holds every candidate stays exact when it ends up shorter than K', () => {
    const merged = mergeSurvivors({ ids: Int32Array.from([3]), scores: Float64Array.from([0.4]), exhaustive: true },
      { ids: Int32Array.from([1]), scores: Float64Array.from([0.2]) }, true, 10, 5);
    expect(merged).to.deep.equal({ ids: Int32Array.from([3, 1]), scores: Float64Array.from([0.4, 0.2]), exhaustive: true });
  });

  it('without an exhaustive list, nothing below the last survivor is known', () => {
    const merged = mergeSurvivors({ ids: Int32Array.from([3, 4]), scores: Float64Array.from([0.4, 0.3]), exhaustive: false },
      { ids: Int32Array.from([1, 2]), scores: Float64Array.from([0.35, 0.1]) }, true, 10, 3);
    expect(Array.from(merged!.ids)).to.deep.equal([3, 1, 4]);
    expect(mergeSurvivors({ ids: Int32Array.from([3, 4]), scores: Float64Array.from([0.4, 0.3]), exhaustive: false },
      { ids: Int32Array.from([1, 2]), scores: Float64Array.from([0.35, 0.1]) }, true, 10, 4)).to.equal(null);
  });
});

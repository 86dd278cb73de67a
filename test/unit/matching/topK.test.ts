import { expect } from 'chai';
import { TopK } from '../../../src/matching/topK.ts';
import { seededRandom } from '../../../src/synthetic/random.ts';

/** Oracle: sort everything, take K (score desc, id asc). */
function bySort(entries: Array<{ id: number; score: number }>, k: number) {
  return [...entries].sort((x, y) => y.score - x.score || x.id - y.id).slice(0, k);
}

describe('TopK (bounded min-heaps over typed arrays)', () => {
  it('equals sort-and-truncate on random offers with many ties, for K below, at and above the count', () => {
    const rnd = seededRandom(1);
    for (const k of [1, 2, 7, 50, 300]) {
      const rows = 20;
      const t = new TopK(rows, k);
      const all: Array<Array<{ id: number; score: number }>> = Array.from({ length: rows }, () => []);
      for (let row = 0; row < rows; row++) {
        const n = Math.floor(rnd() * 200);
        const ids = Array.from({ length: n }, (_, i) => i).sort(() => rnd() - 0.5);
        for (const id of ids) {
          const score = Math.floor(rnd() * 8) / 8; // heavy ties
          all[row].push({ id, score });
          t.offer(row, id, score);
        }
      }
      for (let row = 0; row < rows; row++) expect(t.sorted(row), `k=${k} row=${row}`).to.deep.equal(bySort(all[row], k));
    }
  });

  it('floor is the worst kept score once full', () => {
    const t = new TopK(1, 3);
    expect(t.floor(0)).to.equal(-Infinity);
    for (const [id, s] of [[1, 0.5], [2, 0.9], [3, 0.1]]) t.offer(0, id, s);
    expect(t.floor(0)).to.equal(0.1);
    t.offer(0, 4, 0.1); // equal score, larger id: rejected
    expect(t.sorted(0).map((e) => e.id)).to.deep.equal([2, 1, 3]);
    t.offer(0, 0, 0.1); // equal score, smaller id: replaces id 3
    expect(t.sorted(0).map((e) => e.id)).to.deep.equal([2, 1, 0]);
  });

  it('merging partial top-K lists over disjoint neighbours equals the whole', () => {
    const rnd = seededRandom(2);
    const whole = new TopK(5, 10);
    const parts = [new TopK(5, 10), new TopK(5, 10), new TopK(5, 10)];
    for (let row = 0; row < 5; row++) {
      for (let id = 0; id < 90; id++) {
        const s = Math.floor(rnd() * 20) / 20;
        whole.offer(row, id, s);
        parts[id % 3].offer(row, id, s);
      }
    }
    const merged = new TopK(5, 10);
    for (const p of parts) merged.merge(p);
    for (let row = 0; row < 5; row++) expect(merged.sorted(row)).to.deep.equal(whole.sorted(row));
    const shifted = new TopK(6, 10);
    shifted.merge(whole, Int32Array.from([5, 4, 3, 2, 1]));
    expect(shifted.sorted(5)).to.deep.equal(whole.sorted(0));
  });
});

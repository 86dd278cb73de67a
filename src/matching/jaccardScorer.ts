// A second scorer, for groups whose metadata are tag sets rather than attributes: the mean over
// the keys either node has of the Jaccard similarity of the two item sets (a missing value is the
// empty set, a single value a one-item set, numbers compare as their normalized strings).
// No partial or numeric-tolerance rules. Edges above `threshold` (default 0.05) are kept.
import { KIND_MISSING, type EncodedPage } from './encodedPage.ts';
import { alignPages } from './pagePairAlignment.ts';
import type { BoundScorer, PairScorer } from './pairScorer.ts';

export interface JaccardOptions {
  threshold?: number;
}

function presentCounts(page: EncodedPage): Int32Array {
  const K = page.keys.length;
  const out = new Int32Array(page.size);
  for (let i = 0; i < page.size; i++) for (let k = 0; k < K; k++) if (page.kind[i * K + k] !== KIND_MISSING) out[i]++;
  return out;
}

function bindJaccard(A: EncodedPage, B: EncodedPage): BoundScorer {
  const al = alignPages(A, B);
  const { common, keyA, keyB } = al;
  const KA = A.keys.length;
  const KB = B.keys.length;
  const startA = A.itemStart;
  const startB = B.itemStart;
  const itemsA = A.items;
  const itemsB = al.itemsB;
  const presentA = presentCounts(A);
  const presentB = A === B ? presentA : presentCounts(B);

  const score = (a: number, b: number): number => {
    let total = 0;
    let both = 0;
    for (let c = 0; c < common; c++) {
      const sa = a * KA + keyA[c];
      const sb = b * KB + keyB[c];
      let x = startA[sa];
      const xe = startA[sa + 1];
      let y = startB[sb];
      const ye = startB[sb + 1];
      if (x === xe || y === ye) continue;
      both++;
      const size = xe - x + ye - y;
      let shared = 0;
      while (x < xe && y < ye) {
        if (itemsA[x] === itemsB[y]) {
          shared++;
          x++;
          y++;
        } else if (itemsA[x] < itemsB[y]) x++;
        else y++;
      }
      total += shared / (size - shared);
    }
    const union = presentA[a] + presentB[b] - both;
    return union > 0 ? total / union : 0;
  };
  const scoreRow = (a: number, bs: Int32Array, out: Float64Array): void => {
    for (let y = 0; y < bs.length; y++) out[y] = score(a, bs[y]);
  };
  return { score, scoreRow };
}

export class JaccardScorer implements PairScorer {
  readonly name = 'item-jaccard';
  readonly threshold: number;

  constructor(options: JaccardOptions = {}) {
    this.threshold = options.threshold ?? 0.05;
  }

  bind(a: EncodedPage, b: EncodedPage): BoundScorer {
    return bindJaccard(a, b);
  }
}

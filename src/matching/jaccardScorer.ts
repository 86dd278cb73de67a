// A second scorer, for groups whose metadata are tag sets rather than attributes: the mean over
// the keys either node has of the Jaccard similarity of the two item sets (a missing value is the
// empty set, a single value a one-item set, numbers compare as their normalized strings).
// No partial or numeric-tolerance rules. Edges above `threshold` (default 0.05) are kept.
import { compareCodePoints, KIND_MISSING, type EncodedPage } from './encodedPage.ts';
import { alignPages } from './pagePairAlignment.ts';
import type { BoundScorer, KeyExplanation, KeyRule, PairExplanation, PairScorer } from './pairScorer.ts';

export interface JaccardOptions {
  threshold?: number;
}

export const JACCARD_DEFAULTS = { threshold: 0.05 } as const;

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

  // score() and explain() share this; with `shares`, each common key's Jaccard is recorded (-1:
  // not both nodes have it), and the union in shares[common].
  const pairScore = (a: number, b: number, shares: Float64Array | null): number => {
    let total = 0;
    let both = 0;
    for (let c = 0; c < common; c++) {
      const sa = a * KA + keyA[c];
      const sb = b * KB + keyB[c];
      let x = startA[sa];
      const xe = startA[sa + 1];
      let y = startB[sb];
      const ye = startB[sb + 1];
      if (shares) shares[c] = -1;
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
      const jaccard = shared / (size - shared);
      if (shares) shares[c] = jaccard;
      total += jaccard;
    }
    const union = presentA[a] + presentB[b] - both;
    if (shares) shares[common] = union;
    return union > 0 ? total / union : 0;
  };
  const score = (a: number, b: number): number => pairScore(a, b, null);
  const explain = (a: number, b: number): PairExplanation => {
    const shares = new Float64Array(common + 1);
    const s = pairScore(a, b, shares);
    const keys: KeyExplanation[] = [];
    let matched = 0;
    const has = (page: EncodedPage, node: number, k: number) => page.kind[node * page.keys.length + k] !== KIND_MISSING;
    for (let c = 0; c < common; c++) {
      const share = shares[c];
      if (share >= 0) {
        matched += share;
        keys.push({ key: al.names[c], rule: share > 0 ? 'shared-item' : 'none', weight: 1, share });
      } else if (has(A, a, keyA[c])) keys.push({ key: al.names[c], rule: 'only-a', weight: 1, share: 0 });
      else if (has(B, b, keyB[c])) keys.push({ key: al.names[c], rule: 'only-b', weight: 1, share: 0 });
    }
    const onlyIn = (page: EncodedPage, node: number, keyIdx: Int32Array, rule: KeyRule) => {
      const inCommon = new Set(keyIdx);
      for (let k = 0; k < page.keys.length; k++) if (!inCommon.has(k) && has(page, node, k)) keys.push({ key: page.keys[k], rule, weight: 1, share: 0 });
    };
    onlyIn(A, a, keyA, 'only-a');
    onlyIn(B, b, keyB, 'only-b');
    keys.sort((x, y) => compareCodePoints(x.key, y.key));
    return { keys, matched, union: shares[common], score: s };
  };
  const scoreRow = (a: number, bs: Int32Array, out: Float64Array): void => {
    for (let y = 0; y < bs.length; y++) out[y] = score(a, bs[y]);
  };
  return { score, scoreRow, explain };
}

export class JaccardScorer implements PairScorer {
  readonly name = 'item-jaccard';
  readonly threshold: number;

  constructor(options: JaccardOptions = {}) {
    this.threshold = options.threshold ?? JACCARD_DEFAULTS.threshold;
  }

  bind(a: EncodedPage, b: EncodedPage): BoundScorer {
    return bindJaccard(a, b);
  }
}

// The seeds' MetadataCompatibilityCalculator (docs/scoring.md), with the rules the seed leaves vague
// decided and written down here. Value-level rules (normalization, what is a number, what is a
// multi-value list) are in metadataValue.ts.
//
// For nodes a and b, over the metadata keys:
//   present(x, k)  ⇔ x has a non-empty value for key k
//   U = keys present in a or in b;  C = keys present in both (the seed's "common keys")
// Per common key k ∈ C, the per-key score s_k is decided by the first rule that applies:
//   1. both values are numbers x, y:
//        s_k = EXACT (0.7) if |x - y| ≤ tolerance · max(|x|, |y|)  (tolerance 0.6, the seed's
//        "within 60%"; the boundary counts as within; equal numbers always match), else 0.
//        Numbers never get the partial score.
//   2. neither value is a multi-value list (text/text, or a number against a text):
//        s_k = EXACT (0.7) if the normalized strings are equal,
//              PARTIAL (0.35) if one contains the other as a substring,
//              0 otherwise.
//   3. at least one value is a multi-value list (a single value is a one-item list here):
//        s_k = EXACT (0.7) if the two item sets share at least one item, else 0.
//        Lists get no partial score.
// The pair's score is the weighted share of the best achievable:
//        score = Σ_{k∈C} w_k · (s_k / EXACT)  /  Σ_{k∈U} w_k       (0 when U is empty)
// with per-key weights w_k (default 1, configurable). So identical nodes score 1, a key only one
// node has counts against the pair, and a pair matching exactly on half of its keys scores 0.5.
// An edge is kept only when score > threshold (0.05, strictly greater).
//
// What differs from the seed's table, and why: its step 3 reads "final score = max(Σ per-key
// scores, 0.4)". Taken literally every pair with one common key would score at least 0.4 and the
// 0.05 threshold could never reject anything, and the raw sum grows with the number of keys, so
// scores of groups with different key counts would not compare. We keep the seed's per-key
// constants and its threshold and normalize instead of flooring.
//
// The score is symmetric and independent of which pages the nodes are in (the sum runs over the
// keys both nodes have, in sorted key order), so a pair scored in different jobs or runs gets the
// bit-identical score — top-K tie-breaking across runs relies on that.
import { compareCodePoints, KIND_MISSING, KIND_MULTI, KIND_NUMBER, KIND_TEXT, type EncodedPage } from './encodedPage.ts';
import { alignPages, REL_CONTAINS, REL_EQUAL } from './pagePairAlignment.ts';
import type { BoundScorer, KeyExplanation, KeyRule, PairExplanation, PairScorer } from './pairScorer.ts';

export interface CompatibilityOptions {
  exactScore?: number;
  partialScore?: number;
  numericTolerance?: number;
  threshold?: number;
  /** per-key weights; keys not listed weigh `defaultWeight` */
  weights?: Record<string, number>;
  defaultWeight?: number;
}

export const COMPATIBILITY_DEFAULTS = {
  exactScore: 0.7,
  partialScore: 0.35,
  numericTolerance: 0.6,
  threshold: 0.05,
  defaultWeight: 1,
} as const;

/** Σ of the weights of the keys each node of the page has. */
function presentWeights(page: EncodedPage, keyWeight: Float64Array): Float64Array {
  const K = page.keys.length;
  const out = new Float64Array(page.size);
  for (let i = 0; i < page.size; i++) {
    let w = 0;
    for (let k = 0; k < K; k++) if (page.kind[i * K + k] !== KIND_MISSING) w += keyWeight[k];
    out[i] = w;
  }
  return out;
}

/** Per key of the page: bit 1 when some node lacks it, bit 2 when some node has a list, bit 4 when some node has a non-number. */
function keyTraits(page: EncodedPage): Uint8Array {
  const K = page.keys.length;
  const out = new Uint8Array(K);
  for (let s = 0; s < page.kind.length; s++) {
    const t = page.kind[s];
    out[s % K] |= (t === KIND_MISSING ? HAS_MISSING : 0) | (t === KIND_MULTI ? HAS_MULTI : 0) | (t !== KIND_NUMBER ? HAS_NON_NUMBER : 0);
  }
  return out;
}
const HAS_MISSING = 1;
const HAS_MULTI = 2;
const HAS_NON_NUMBER = 4;

// The rules of a key both nodes have (rule 1 to 3 of the header), and of a key they do not both have.
const RULE_EXACT = 0;
const RULE_NUMERIC_WITHIN = 1;
const RULE_NUMERIC_OUTSIDE = 2;
const RULE_PARTIAL = 3;
const RULE_SHARED_ITEM = 4;
const RULE_NONE = 5;
const RULES = 6;
const ONLY_A = 6;
const ONLY_B = 7;
const NEITHER = 8;
const RULE_NAMES: KeyRule[] = ['exact', 'numeric-within', 'numeric-outside', 'partial', 'shared-item', 'none', 'only-a', 'only-b'];

/** A rule's share of a full match (what it adds is the key's weight times this). */
function ruleShare(r: number, partial: number): number {
  return r === RULE_EXACT || r === RULE_NUMERIC_WITHIN || r === RULE_SHARED_ITEM ? 1 : r === RULE_PARTIAL ? partial : 0;
}

type Options = Required<Omit<CompatibilityOptions, 'weights'>> & { weights: Record<string, number> };

// Closures over local typed arrays rather than a class: V8 keeps locals in registers and
// constant-folds their element kinds, which measured ~10× faster than `this.field[...]` here.
function bindCompatibility(A: EncodedPage, B: EncodedPage, o: Options): BoundScorer {
  const al = alignPages(A, B);
  const w = (k: string): number => o.weights[k] ?? o.defaultWeight;
  const common = al.common;
  const keyA = al.keyA;
  const keyB = al.keyB;
  const weight = Float64Array.from(al.names, w);
  const dictB = al.dictB;
  const relOffset = al.relOffset;
  const rel = al.rel;
  const KA = A.keys.length;
  const KB = B.keys.length;
  const kindA = A.kind;
  const kindB = B.kind;
  const numA = A.num;
  const numB = B.num;
  const startA = A.itemStart;
  const startB = B.itemStart;
  const itemsA = A.items;
  const itemsB = al.itemsB; // B's items in A's id space
  // per slot: index of its single value in the key's relation matrix (-1: missing or a list)
  const firstA = al.singleA;
  const firstB = al.singleB;
  const presentA = presentWeights(A, Float64Array.from(A.keys, w));
  const presentB = A === B ? presentA : presentWeights(B, Float64Array.from(B.keys, w));
  // Per-key scores are kept as fractions of EXACT (1 and PARTIAL/EXACT = 0.5) so that, with
  // integer weights, sums are exact and simple cases give exact results (3 of 4 keys → 0.75).
  const partial = o.partialScore / o.exactScore;
  const tolerance = o.numericTolerance;
  // per common key: the score added for no relation (0) / REL_CONTAINS / REL_EQUAL
  const relScore = new Float64Array(common * 3);
  for (let c = 0; c < common; c++) {
    relScore[c * 3 + REL_CONTAINS] = weight[c] * partial;
    relScore[c * 3 + REL_EQUAL] = weight[c];
  }
  const traitsB = keyTraits(B);
  const integerWeights = weight.every(Number.isInteger);
  let sum = new Float64Array(0);
  let wCommon = new Float64Array(0);

  /** Do the item lists [x, xe) of A and [y, ye) of B (A's id space) intersect? */
  const intersects = (x: number, xe: number, y: number, ye: number): boolean => {
    while (x < xe && y < ye) {
      const u = itemsA[x];
      const v = itemsB[y];
      if (u === v) return true;
      if (u < v) x++;
      else y++;
    }
    return false;
  };
  const withinTolerance = (x: number, y: number): boolean => {
    const ax = x < 0 ? -x : x;
    const ay = y < 0 ? -y : y;
    return (x > y ? x - y : y - x) <= tolerance * (ax > ay ? ax : ay);
  };

  // The pair path, which score() and explain() share: per common key the rule that applies
  // (RULE_*) and what it adds (gain). With a trace, the rule of every common key is recorded
  // (and ONLY_A / ONLY_B / NEITHER for the keys not both nodes have), and the sums in `sums`.
  const gain = new Float64Array(common * RULES);
  for (let c = 0; c < common; c++) {
    gain[c * RULES + RULE_EXACT] = weight[c];
    gain[c * RULES + RULE_NUMERIC_WITHIN] = weight[c];
    gain[c * RULES + RULE_SHARED_ITEM] = weight[c];
    gain[c * RULES + RULE_PARTIAL] = weight[c] * partial;
  }
  const textRule = new Uint8Array(3).fill(RULE_NONE);
  textRule[REL_CONTAINS] = RULE_PARTIAL;
  textRule[REL_EQUAL] = RULE_EXACT;
  const pairScore = (a: number, b: number, trace: Uint8Array | null, sums: Float64Array | null): number => {
    const baseA = a * KA;
    const baseB = b * KB;
    let total = 0;
    let wc = 0;
    for (let c = 0; c < common; c++) {
      const sa = baseA + keyA[c];
      const sb = baseB + keyB[c];
      const ta = kindA[sa];
      const tb = kindB[sb];
      if (ta === KIND_MISSING || tb === KIND_MISSING) {
        if (trace) trace[c] = ta !== KIND_MISSING ? ONLY_A : tb !== KIND_MISSING ? ONLY_B : NEITHER;
        continue;
      }
      wc += weight[c];
      let r: number;
      if (ta === KIND_NUMBER && tb === KIND_NUMBER) r = withinTolerance(numA[sa], numB[sb]) ? RULE_NUMERIC_WITHIN : RULE_NUMERIC_OUTSIDE;
      else if (ta !== KIND_MULTI && tb !== KIND_MULTI) r = textRule[rel[relOffset[c] + firstA[sa] * dictB[c] + firstB[sb]]];
      else r = intersects(startA[sa], startA[sa + 1], startB[sb], startB[sb + 1]) ? RULE_SHARED_ITEM : RULE_NONE;
      if (trace) trace[c] = r;
      total += gain[c * RULES + r];
    }
    const union = presentA[a] + presentB[b] - wc;
    if (sums) {
      sums[0] = total;
      sums[1] = union;
    }
    return union > 0 ? total / union : 0;
  };
  const score = (a: number, b: number): number => pairScore(a, b, null, null);

  const explain = (a: number, b: number): PairExplanation => {
    const trace = new Uint8Array(common);
    const sums = new Float64Array(2);
    const s = pairScore(a, b, trace, sums);
    const keys: KeyExplanation[] = [];
    for (let c = 0; c < common; c++) {
      const r = trace[c];
      if (r === NEITHER) continue;
      keys.push({ key: al.names[c], rule: RULE_NAMES[r], weight: weight[c], share: ruleShare(r, partial) });
    }
    // keys only one of the two pages has: the other node lacks them for sure
    const onlyIn = (page: EncodedPage, node: number, keyIdx: Int32Array, rule: KeyRule) => {
      const K = page.keys.length;
      const inCommon = new Uint8Array(K);
      for (const k of keyIdx) inCommon[k] = 1;
      for (let k = 0; k < K; k++) {
        if (!inCommon[k] && page.kind[node * K + k] !== KIND_MISSING) keys.push({ key: page.keys[k], rule, weight: w(page.keys[k]), share: 0 });
      }
    };
    onlyIn(A, a, keyA, 'only-a');
    onlyIn(B, b, keyB, 'only-b');
    keys.sort((x, y) => compareCodePoints(x.key, y.key));
    return { keys, matched: sums[0], union: sums[1], score: s };
  };

  // Key by key over the whole row: the A side of each key is loaded once, and the inner loops
  // are short and branch-predictable. Additions happen per b in the same key order as score().
  const scoreRow = (a: number, bs: Int32Array, out: Float64Array): void => {
    const n = bs.length;
    if (sum.length < n) {
      sum = new Float64Array(n);
      wCommon = new Float64Array(n);
    } else {
      sum.fill(0, 0, n);
      wCommon.fill(0, 0, n);
    }
    const baseA = a * KA;
    // weight of the common keys every node of B has (added per pair below for the others)
    let wAll = 0;
    for (let c = 0; c < common; c++) {
      const sa = baseA + keyA[c];
      const ta = kindA[sa];
      if (ta === KIND_MISSING) continue;
      const kb = keyB[c];
      const wk = weight[c];
      const wExact = wk;
      const r3 = c * 3;
      const relRow = relOffset[c] + firstA[sa] * dictB[c];
      const xa = startA[sa];
      const xe = startA[sa + 1];
      const traits = traitsB[kb];
      // Fast paths for keys that every node of B has and never as a list: no per-pair branches,
      // and the key's weight is added once for the row. Only with integer weights, whose sums
      // are exact in any order, so that the result stays bit-identical to score().
      const plain = integerWeights && (traits & (HAS_MISSING | HAS_MULTI)) === 0;
      if (plain && ta === KIND_TEXT) {
        wAll += wk;
        for (let y = 0; y < n; y++) sum[y] += relScore[r3 + rel[relRow + firstB[bs[y] * KB + kb]]];
        continue;
      }
      if (plain && ta === KIND_NUMBER && (traits & HAS_NON_NUMBER) === 0) {
        wAll += wk;
        const x = numA[sa];
        for (let y = 0; y < n; y++) if (withinTolerance(x, numB[bs[y] * KB + kb])) sum[y] += wExact;
        continue;
      }
      if (ta === KIND_TEXT) {
        for (let y = 0; y < n; y++) {
          const sb = bs[y] * KB + kb;
          const tb = kindB[sb];
          if (tb === KIND_MISSING) continue;
          wCommon[y] += wk;
          if (tb !== KIND_MULTI) sum[y] += relScore[r3 + rel[relRow + firstB[sb]]];
          else if (intersects(xa, xe, startB[sb], startB[sb + 1])) sum[y] += wExact;
        }
      } else if (ta === KIND_NUMBER) {
        const x = numA[sa];
        for (let y = 0; y < n; y++) {
          const sb = bs[y] * KB + kb;
          const tb = kindB[sb];
          if (tb === KIND_MISSING) continue;
          wCommon[y] += wk;
          if (tb === KIND_NUMBER) {
            if (withinTolerance(x, numB[sb])) sum[y] += wExact;
          } else if (tb !== KIND_MULTI) sum[y] += relScore[r3 + rel[relRow + firstB[sb]]];
          else if (intersects(xa, xe, startB[sb], startB[sb + 1])) sum[y] += wExact;
        }
      } else {
        for (let y = 0; y < n; y++) {
          const sb = bs[y] * KB + kb;
          const tb = kindB[sb];
          if (tb === KIND_MISSING) continue;
          wCommon[y] += wk;
          if (intersects(xa, xe, startB[sb], startB[sb + 1])) sum[y] += wExact;
        }
      }
    }
    const pa = presentA[a];
    for (let y = 0; y < n; y++) {
      const union = pa + presentB[bs[y]] - (wCommon[y] + wAll);
      out[y] = union > 0 ? sum[y] / union : 0;
    }
  };
  return { score, scoreRow, explain };
}

export class CompatibilityScorer implements PairScorer {
  readonly name = 'metadata-compatibility';
  readonly threshold: number;
  private readonly options: Options;

  constructor(options: CompatibilityOptions = {}) {
    this.options = { ...COMPATIBILITY_DEFAULTS, weights: {}, ...stripUndefined(options) };
    if (!(this.options.exactScore > 0)) throw new Error('exactScore must be > 0');
    for (const [k, v] of Object.entries(this.options.weights)) {
      if (!(v >= 0) || !Number.isFinite(v)) throw new Error(`weight of '${k}' must be a finite number ≥ 0`);
    }
    this.threshold = this.options.threshold;
  }

  bind(a: EncodedPage, b: EncodedPage): BoundScorer {
    return bindCompatibility(a, b, this.options);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

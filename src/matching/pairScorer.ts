// The scoring interface. A scorer is bound once to a pair of pages (aligning their dictionaries),
// then scores node a of page A against node b of page B with plain array work. A group picks its
// scorer by name (matching_configuration.config_params.scorer); the candidate strategies only
// know this interface.
import type { EncodedPage } from './encodedPage.ts';

export interface BoundScorer {
  /** Score in [0, 1] of node `a` of page A against node `b` of page B; symmetric. */
  score(a: number, b: number): number;
  /**
   * out[y] = score(a, bs[y]) for y in [0, bs.length): the hot path. A scorer may compute a whole
   * row at once (key by key over all b), which is much faster than pair by pair; the results
   * must equal score(a, b) bit for bit.
   */
  scoreRow(a: number, bs: Int32Array, out: Float64Array): void;
  /**
   * score(a, b) key by key: the same code as score() with a record of what each key added, so
   * that its `score` equals score(a, b) bit for bit.
   */
  explain(a: number, b: number): PairExplanation;
}

/**
 * What decided one key of a pair: an exact match (text, or a number against a text), numbers within
 * or outside the tolerance, one text containing the other (partial), a shared item of two lists, no
 * match, or only one node having the key.
 */
export type KeyRule = 'exact' | 'numeric-within' | 'numeric-outside' | 'partial' | 'shared-item' | 'none' | 'only-a' | 'only-b';

export interface KeyExplanation {
  key: string;
  rule: KeyRule;
  weight: number;
  /** the key's score as a share of a full match (1 for exact, the partial share, a Jaccard…); 0 when only one node has the key */
  share: number;
}

export interface PairExplanation {
  /** every key either node has, in the order the score adds them (code-point order of key names) */
  keys: KeyExplanation[];
  /** Σ weight × share: the numerator */
  matched: number;
  /** Σ weight of the keys either node has: the denominator */
  union: number;
  /** matched / union (0 when union is 0): score(a, b) */
  score: number;
}

export interface PairScorer {
  readonly name: string;
  /** Edges are kept only when their score is strictly greater than this. */
  readonly threshold: number;
  bind(a: EncodedPage, b: EncodedPage): BoundScorer;
}

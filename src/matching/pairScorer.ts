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
}

export interface PairScorer {
  readonly name: string;
  /** Edges are kept only when their score is strictly greater than this. */
  readonly threshold: number;
  bind(a: EncodedPage, b: EncodedPage): BoundScorer;
}

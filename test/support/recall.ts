// Recall@K of an approximate top-K (LSH candidates) against the exact one (flat).
//
// Scores are discrete, so many neighbours tie and "the" top K by identity is arbitrary. We
// therefore count by score: for node u with exact list T(u) (|T(u)| ≤ K) whose lowest score is
// τ(u), the approximate list A(u) recalls min(|T(u)|, |{e ∈ A(u) : score(e) ≥ τ(u)}|) of it.
// Both lists hold exact scores of real pairs, so an approximate entry at or above τ(u) is as good
// as an exact one. Recall@K = Σ recalled / Σ |T(u)| over all nodes (nodes with no edges skip).
import type { TopK } from '../../src/matching/topK.ts';

export interface RecallResult {
  recall: number;
  recalled: number;
  expected: number;
}

export function recallAtK(exact: TopK, approx: TopK): RecallResult {
  if (exact.rows !== approx.rows) throw new Error('top-K tables of different sizes');
  let recalled = 0;
  let expected = 0;
  for (let u = 0; u < exact.rows; u++) {
    const n = exact.count[u];
    if (n === 0) continue;
    let tau = Infinity;
    for (let i = 0; i < n; i++) tau = Math.min(tau, exact.score[u * exact.k + i]);
    let hit = 0;
    for (let i = 0; i < approx.count[u]; i++) if (approx.score[u * approx.k + i] >= tau) hit++;
    recalled += Math.min(hit, n);
    expected += n;
  }
  return { recall: expected ? recalled / expected : 1, recalled, expected };
}

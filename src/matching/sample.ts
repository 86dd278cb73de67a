// A seeded random sample of indices, for the recall estimate of a cycle: the same seed draws the
// same sample in every process, so a retried job measures the same nodes.
import { fmix32 } from './hash32.ts';

/** k distinct indices of [0, n), ascending (all of them when k ≥ n); Floyd's algorithm over a seeded generator. */
export function sampleIndices(n: number, k: number, seed: number): Int32Array {
  if (k >= n) return Int32Array.from({ length: n }, (_, i) => i);
  let state = fmix32(seed >>> 0) || 1;
  // xorshift32: uniform enough for picking nodes, and the same everywhere
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
  const chosen = new Set<number>();
  for (let j = n - k; j < n; j++) {
    const t = Math.floor(next() * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  return Int32Array.from(chosen).sort();
}

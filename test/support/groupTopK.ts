// Top-K of every node of a group held in memory as a list of encoded pages: the reference
// computation that tests, the recall measure and the benchmark compare the pipeline against.
// Rows are numbered page after page (row of node i of page p = sum of the earlier pages' sizes
// + i); neighbour ids are the callers' `ids`.
import type { EncodedPage } from '../../src/matching/encodedPage.ts';
import { scoreFlat } from '../../src/matching/flatStrategy.ts';
import type { CandidateCut } from '../../src/matching/lshStrategy.ts';
import { lshCount, lshRank, lshRows } from '../../src/matching/rowScoring.ts';
import type { PairScorer } from '../../src/matching/pairScorer.ts';
import { consecutive, noRows, pageSide, type PageSide, type SideFilter } from '../../src/matching/pageSide.ts';
import { TopK } from '../../src/matching/topK.ts';

export interface GroupInput {
  pages: EncodedPage[];
  /** per page, the id of each node; default: its row number */
  ids?: Int32Array[];
  /** bipartite: left nodes match right nodes only (sides from the pages' partition) */
  bipartite?: boolean;
}

export interface GroupResult {
  topK: TopK;
  pairsScored: number;
}

function rowOffsets(pages: EncodedPage[]): number[] {
  const out: number[] = [];
  let n = 0;
  for (const p of pages) {
    out.push(n);
    n += p.size;
  }
  out.push(n);
  return out;
}

function sides(g: GroupInput, filter: SideFilter, withRows: boolean): PageSide[] {
  const off = rowOffsets(g.pages);
  return g.pages.map((p, i) =>
    pageSide(p, g.ids?.[i] ?? consecutive(p.size, off[i]), withRows ? consecutive(p.size, off[i]) : noRows(p.size), filter));
}

/** Exhaustive: every unordered pair scored once (page pairs i ≤ j), offered in both directions. */
export function flatGroupTopK(scorer: PairScorer, g: GroupInput, k: number): GroupResult {
  const total = rowOffsets(g.pages).at(-1)!;
  const topK = new TopK(total, k);
  let pairs = 0;
  if (g.bipartite) {
    const left = sides(g, 'left', true);
    const right = sides(g, 'right', true);
    for (const l of left) for (const r of right) pairs += scoreFlat(scorer, l, r, topK, { mirror: true });
  } else {
    const all = sides(g, 'all', true);
    for (let i = 0; i < all.length; i++) {
      for (let j = i; j < all.length; j++) pairs += scoreFlat(scorer, all[i], all[j], topK, { mirror: true });
    }
  }
  return { topK, pairsScored: pairs };
}

/**
 * MinHash LSH: each page of rows against every page (rowScoring.lshRows), directed, as the
 * pipeline's row jobs do. With `candidateLimit`, as the pipeline's N pages: each page's rows are
 * counted, the capped ones ranked, and then scored within their cut.
 */
export function lshGroupTopK(scorer: PairScorer, g: GroupInput, k: number, candidateLimit = 0): GroupResult & { collisions: number; capped: number } {
  const off = rowOffsets(g.pages);
  const topK = new TopK(off.at(-1)!, k);
  let pairs = 0;
  let collisions = 0;
  let capped = 0;
  const ids = g.pages.map((p, i) => g.ids?.[i] ?? consecutive(p.size, off[i]));
  const runs: Array<[SideFilter, SideFilter]> = g.bipartite ? [['left', 'right'], ['right', 'left']] : [['all', 'all']];
  for (const [rowFilter, colFilter] of runs) {
    const columns = g.pages.map((page, i) => ({ page, ids: ids[i], filter: colFilter }));
    g.pages.forEach((page, i) => {
      const rows = { page, ids: ids[i], filter: rowFilter, rows: consecutive(page.size, off[i]) };
      let cut: CandidateCut | undefined;
      if (candidateLimit > 0) {
        const counts = new Int32Array(page.size);
        collisions += lshCount(rows, columns, counts).collisions;
        const over = Array.from(counts.keys()).filter((x) => counts[x] > candidateLimit);
        capped += over.length;
        if (over.length) {
          const slot = new Int32Array(page.size).fill(-1);
          over.forEach((x, s) => (slot[x] = s));
          const keys = new TopK(over.length, candidateLimit);
          collisions += lshRank({ ...rows, only: Uint8Array.from(slot, (s) => (s >= 0 ? 1 : 0)) }, columns, keys, slot).collisions;
          cut = { key: new Float64Array(page.size).fill(NaN), id: new Int32Array(page.size) };
          over.forEach((x, s) => {
            cut!.key[x] = keys.score[s * candidateLimit];
            cut!.id[x] = keys.id[s * candidateLimit];
          });
        }
      }
      const st = lshRows(scorer, rows, columns, topK, cut);
      pairs += st.pairs;
      collisions += st.collisions;
    });
  }
  return { topK, pairsScored: pairs, collisions, capped };
}

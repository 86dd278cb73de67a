// One row page against column pages, directed: the unit of work of a build-chunk-pair job. Each
// row node's top-K is computed from the column nodes (the same node, by id, is skipped), with the
// flat strategy (every pair) or the metadata strategy (LSH candidates, then exact scores).
import type { EncodedPage } from './encodedPage.ts';
import { scoreFlat } from './flatStrategy.ts';
import { LshRowIndex, type CandidateCut } from './lshStrategy.ts';
import type { PairScorer } from './pairScorer.ts';
import { consecutive, noRows, pageSide, type PageSide, type SideFilter } from './pageSide.ts';
import type { TopK } from './topK.ts';

export interface PageSpec {
  page: EncodedPage;
  /** neighbour id per page node */
  ids: Int32Array;
  filter: SideFilter;
  /** top-K row per page node (row pages only; default: the node's index in the page) */
  rows?: Int32Array;
  /** row pages only: 1 for the nodes whose top-K is computed (default: all) */
  only?: Uint8Array;
}

export interface RowScoringStats {
  pairs: number;
  collisions: number;
}

function rowSide(rows: PageSpec) {
  return pageSide(rows.page, rows.ids, rows.rows ?? consecutive(rows.page.size, 0), rows.filter, rows.only);
}

export function flatRows(scorer: PairScorer, rows: PageSpec, columns: PageSpec[], topK: TopK): RowScoringStats {
  const r = rowSide(rows);
  let pairs = 0;
  if (r.nodes.length === 0) return { pairs, collisions: 0 };
  for (const c of columns) pairs += scoreFlat(scorer, r, pageSide(c.page, c.ids, noRows(c.page.size), c.filter), topK, { mirror: false });
  return { pairs, collisions: 0 };
}

export function lshRows(scorer: PairScorer, rows: PageSpec, columns: PageSpec[], topK: TopK, cut?: CandidateCut): RowScoringStats {
  return eachColumn(rows, columns, (index, cols) => index.scoreColumns(scorer, cols, topK, cut));
}

/** Adds to counts[a] the LSH candidates of row node a among the columns (see LshRowIndex.countColumns). */
export function lshCount(rows: PageSpec, columns: PageSpec[], counts: Int32Array): RowScoringStats {
  return eachColumn(rows, columns, (index, cols) => index.countColumns(cols, counts));
}

/** Offers the colliders of the rows with slot[a] ≥ 0 to keys, by rank key (see LshRowIndex.rankColumns). */
export function lshRank(rows: PageSpec, columns: PageSpec[], keys: TopK, slot: Int32Array): RowScoringStats {
  return eachColumn(rows, columns, (index, cols) => index.rankColumns(cols, keys, slot));
}

function eachColumn(rows: PageSpec, columns: PageSpec[], visit: (index: LshRowIndex, cols: PageSide) => RowScoringStats): RowScoringStats {
  const r = rowSide(rows);
  let pairs = 0;
  let collisions = 0;
  if (r.nodes.length === 0) return { pairs, collisions };
  const index = new LshRowIndex(r);
  for (const c of columns) {
    const st = visit(index, pageSide(c.page, c.ids, noRows(c.page.size), c.filter));
    pairs += st.pairs;
    collisions += st.collisions;
  }
  return { pairs, collisions };
}

// One row page against column pages, directed: the unit of work of a build-chunk-pair job. Each
// row node's top-K is computed from the column nodes (the same node, by id, is skipped), with the
// flat strategy (every pair) or the metadata strategy (LSH candidates, then exact scores).
import type { EncodedPage } from './encodedPage.ts';
import { scoreFlat } from './flatStrategy.ts';
import { LshRowIndex } from './lshStrategy.ts';
import type { PairScorer } from './pairScorer.ts';
import { consecutive, noRows, pageSide, type SideFilter } from './pageSide.ts';
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

export function lshRows(scorer: PairScorer, rows: PageSpec, columns: PageSpec[], topK: TopK): RowScoringStats {
  const r = rowSide(rows);
  let pairs = 0;
  let collisions = 0;
  if (r.nodes.length === 0) return { pairs, collisions };
  const index = new LshRowIndex(r);
  for (const c of columns) {
    const st = index.scoreColumns(scorer, pageSide(c.page, c.ids, noRows(c.page.size), c.filter), topK);
    pairs += st.pairs;
    collisions += st.collisions;
  }
  return { pairs, collisions };
}

// Which nodes of a page take part in a scoring step, under which ids, and where their edges go.
import { SIDE_LEFT, SIDE_RIGHT, type EncodedPage } from './encodedPage.ts';

export interface PageSide {
  page: EncodedPage;
  /** indices (into the page) of the nodes taking part, ascending */
  nodes: Int32Array;
  /** per page node: its id — the neighbour id written into top-K lists; equal ids mean the same node */
  ids: Int32Array;
  /** per page node: its top-K row, or -1 when its own top-K is not being computed here */
  rows: Int32Array;
}

export type SideFilter = 'all' | 'left' | 'right';

/**
 * The page's nodes passing `filter` (bipartite side) and, when given, `only` (1 for the nodes to
 * take), with the given ids and top-K rows.
 */
export function pageSide(page: EncodedPage, ids: Int32Array, rows: Int32Array, filter: SideFilter = 'all', only?: Uint8Array): PageSide {
  if (ids.length !== page.size || rows.length !== page.size) throw new Error('ids and rows need one entry per page node');
  if (only && only.length !== page.size) throw new Error('only needs one entry per page node');
  const want = filter === 'left' ? SIDE_LEFT : filter === 'right' ? SIDE_RIGHT : -1;
  const nodes: number[] = [];
  for (let i = 0; i < page.size; i++) if ((want < 0 || page.side[i] === want) && (!only || only[i] === 1)) nodes.push(i);
  return { page, nodes: Int32Array.from(nodes), ids, rows };
}

/** ids (or rows) first, first+1, … for a page: the usual numbering when pages are laid end to end. */
export function consecutive(size: number, first: number): Int32Array {
  const out = new Int32Array(size);
  for (let i = 0; i < size; i++) out[i] = first + i;
  return out;
}

/** rows = -1 for every node: the side only provides neighbours. */
export function noRows(size: number): Int32Array {
  return new Int32Array(size).fill(-1);
}

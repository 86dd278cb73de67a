// The plan of a potential cycle's scoring, as pure functions over the staged pages: which column
// pages a row page is scored against, in which memory-sized batches, and the neighbour ids that
// order equal scores. build-chunk-pair and the dry run both follow it, so a dry run reports what a
// cycle writes.
import { compareCodePoints } from '../matching/encodedPage.ts';
import type { PageKind } from '../shared/queues.ts';
import { pageKey, type PageInfo } from './cycleStore.ts';

const MIB = 1 << 20;
const SURROGATE = /[\ud800-\udfff]/;

/**
 * The column pages of a row page: an N page (new nodes) is scored against every page of the
 * cycle, an E page (nodes of earlier cycles) against the N pages only. A page whose nodes were
 * all deleted since the plan is stored empty and has nothing to score.
 */
export function columnPages<T extends Pick<PageInfo, 'kind' | 'nodeCount'>>(rowKind: PageKind, pages: T[]): T[] {
  return pages.filter((p) => p.nodeCount > 0 && (rowKind === 'N' || p.kind === 'N'));
}

/**
 * Bytes of encoded column pages one batch may hold: a quarter of the memory budget per concurrent
 * job, since decoded pages, the LSH index and the top-K take about as much again.
 */
export function columnBatchBytes(maxMemoryMb: number, concurrency: number): number {
  return Math.max(1, Math.floor((maxMemoryMb * MIB) / (4 * concurrency)));
}

export interface NeighbourIds {
  /** per page (pageKey): the neighbour id of each of its nodes */
  ids: Map<string, Int32Array>;
  referenceOfId: string[];
  /** per neighbour id: 1 for the nodes of N pages (new or changed in this cycle) */
  newIds: Uint8Array;
  /** neighbour id of each reference id (built on first use) */
  idOf(): Map<string, number>;
}

/**
 * Neighbour ids: each node's rank in code-point order of reference ids over the whole cycle, so
 * that equal scores are broken by reference id, as matched_reference_id COLLATE "C" orders them.
 */
export function neighbourIds(pages: PageInfo[]): NeighbourIds {
  const all: Array<[string, number, number]> = [];
  let surrogates = false;
  pages.forEach((p, pi) => p.referenceIds.forEach((r, i) => {
    all.push([r, pi, i]);
    surrogates ||= SURROGATE.test(r);
  }));
  // Without surrogate pairs, UTF-16 order (the built-in comparison, much faster) is code-point order.
  if (surrogates) all.sort((x, y) => compareCodePoints(x[0], y[0]));
  else all.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const ids = new Map<string, Int32Array>();
  const arrays = pages.map((p) => {
    const a = new Int32Array(p.referenceIds.length);
    ids.set(pageKey(p.kind, p.index), a);
    return a;
  });
  const newIds = new Uint8Array(all.length);
  all.forEach(([, pi, i], rank) => {
    arrays[pi][i] = rank;
    if (pages[pi].kind === 'N') newIds[rank] = 1;
  });
  const referenceOfId = all.map((x) => x[0]);
  let idOf: Map<string, number> | undefined;
  return { ids, referenceOfId, newIds, idOf: () => (idOf ??= new Map(referenceOfId.map((r, id) => [r, id]))) };
}

/** Consecutive runs of pages whose encoded size stays within `bytes` (at least one page each). */
export function batchesWithin<T extends { bytes: number }>(pages: T[], bytes: number): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let size = 0;
  for (const p of pages) {
    if (cur.length && size + p.bytes > bytes) {
      out.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(p);
    size += p.bytes;
  }
  if (cur.length) out.push(cur);
  return out;
}

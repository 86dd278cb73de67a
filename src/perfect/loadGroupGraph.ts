// Streams a group's potential_matches out of PostgreSQL (COPY TO STDOUT) into the typed-array
// graph the perfect-match strategies take. Reference ids become dense integer ids in sorted
// reference order (canonicalIds.ts). potential_matches holds each node's top-K as directed rows,
// so a pair may appear in both directions; the strategies' canonical form keeps one edge per
// pair. A group whose edges exceed the memory budget is spilled to LMDB (edgeSpill.ts).
import { withClient, type Pool, type PoolClient } from '../shared/db.ts';
import { lastPotentialRun } from './lastRuns.ts';
import { copyOutLines, unescapeCopyField } from '../shared/copy.ts';
import type { EdgeList, MatchGraph } from '../matching/perfect/graph.ts';
import { BYTES_PER_EDGE, GrowableEdges } from './growableEdges.ts';
import { canonicalIds, remapInPlace } from './canonicalIds.ts';
import type { EdgeSpill } from './edgeSpill.ts';
import { SIDE_LEFT, SIDE_RIGHT, sideMatcher, type PartitionSpec } from '../matching/encodedPage.ts';

interface Loaded {
  /** reference id of each dense id (general graphs: all nodes; bipartite: the left side) */
  leftRefs: string[];
  /** right-side reference ids of a bipartite graph; empty for a general graph */
  rightRefs: string[];
  bipartite: boolean;
  /** rows read from potential_matches */
  rows: number;
  /** rows skipped: a self pair, both ends on one side of a bipartite group, or an end with no side */
  skipped: number;
}

export type LoadedGraph = (Loaded & { inMemory: true; graph: MatchGraph }) | (Loaded & { inMemory: false; spill: EdgeSpill });

export interface LoadOptions {
  /** a bipartite group's sides, split as the potential stage split them */
  bipartite?: PartitionSpec;
  /** edges beyond this many bytes go to the spill (or fail the load when there is none) */
  maxBytes: number;
  spill?: () => EdgeSpill;
  /** called with the rows read so far, every ROWS_PER_REPORT rows (job progress) */
  onRows?: (rows: number) => void;
}

const ROWS_PER_REPORT = 1 << 20;

export class MemoryBudgetExceeded extends Error {}

function interner(refs: string[]) {
  const ids = new Map<string, number>();
  return (ref: string): number => {
    let id = ids.get(ref);
    if (id === undefined) {
      id = refs.length;
      refs.push(ref);
      ids.set(ref, id);
    }
    return id;
  };
}

function field(v: string | undefined): string {
  return v === undefined || v === '\\N' ? '' : unescapeCopyField(v);
}

/**
 * Collects edges in memory up to the budget's worth; past it, each budget-full chunk goes to the
 * spill and the same arrays take the next chunk, so a load never holds more than the budget.
 */
class EdgeSink {
  private buf: GrowableEdges;
  spill?: EdgeSpill;
  constructor(private readonly groupId: string, private readonly opts: LoadOptions) {
    this.buf = new GrowableEdges(Math.max(1024, Math.floor(opts.maxBytes / BYTES_PER_EDGE)));
  }

  push(a: number, b: number, s: number): Promise<void> | void {
    if (!this.buf.full) return this.buf.push(a, b, s);
    return this.flush().then(() => this.buf.push(a, b, s));
  }

  private async flush(): Promise<void> {
    if (!this.opts.spill) {
      throw new MemoryBudgetExceeded(`group ${this.groupId}: edges exceed the memory budget of ${Math.round(this.opts.maxBytes / 2 ** 20)} MiB`);
    }
    this.spill ??= this.opts.spill();
    await this.spill.appendChunk(this.buf.view());
    this.buf.clear();
  }

  async finish(): Promise<{ spill: EdgeSpill } | { edges: EdgeList }> {
    if (!this.spill) return { edges: this.buf.toEdgeList() };
    if (this.buf.length) await this.flush();
    // the chunk buffer is the budget's worth of memory: let it go before the runs are sorted
    this.buf = new GrowableEdges(0);
    return { spill: this.spill };
  }
}

function edgesSql(client: PoolClient, groupId: string): string {
  return `COPY (SELECT reference_id, matched_reference_id, compatibility_score FROM potential_matches
    WHERE group_id = ${client.escapeLiteral(groupId)}) TO STDOUT`;
}

/** Reads each node's side of a bipartite group: 1 left, 2 right (the potential stage's rule). */
async function loadSides(client: PoolClient, groupId: string, p: PartitionSpec): Promise<Map<string, 1 | 2>> {
  const side = new Map<string, 1 | 2>();
  const sideOf = sideMatcher(p);
  await copyOutLines(client,
    `COPY (SELECT reference_id, metadata->>${client.escapeLiteral(p.key)}, type FROM nodes
      WHERE group_id = ${client.escapeLiteral(groupId)}) TO STDOUT`, (line) => {
      const [ref, value, type] = line.split('\t');
      const s = sideOf(value === '\\N' ? undefined : field(value), type === '\\N' ? undefined : field(type));
      if (s === SIDE_LEFT) side.set(field(ref), 1);
      else if (s === SIDE_RIGHT) side.set(field(ref), 2);
    });
  return side;
}

export async function loadGroupGraph(client: PoolClient, groupId: string, opts: LoadOptions): Promise<LoadedGraph> {
  const sink = new EdgeSink(groupId, opts);
  const leftRefs: string[] = [];
  const rightRefs: string[] = [];
  const leftId = interner(leftRefs);
  let rows = 0;
  let skipped = 0;
  if (!opts.bipartite) {
    await copyOutLines(client, edgesSql(client, groupId), (line) => {
      const [a, b, s] = line.split('\t');
      if (++rows % ROWS_PER_REPORT === 0) opts.onRows?.(rows);
      const ia = leftId(field(a));
      const ib = leftId(field(b));
      if (ia === ib) {
        skipped++;
        return;
      }
      return sink.push(ia, ib, Number(s));
    });
  } else {
    const side = await loadSides(client, groupId, opts.bipartite);
    const rightId = interner(rightRefs);
    await copyOutLines(client, edgesSql(client, groupId), (line) => {
      const [ra, rb, s] = line.split('\t');
      if (++rows % ROWS_PER_REPORT === 0) opts.onRows?.(rows);
      const a = field(ra);
      const b = field(rb);
      const sa = side.get(a);
      const sb = side.get(b);
      if (sa === 1 && sb === 2) return sink.push(leftId(a), rightId(b), Number(s));
      if (sa === 2 && sb === 1) return sink.push(leftId(b), rightId(a), Number(s));
      skipped++;
    });
  }
  const left = canonicalIds(leftRefs);
  const right = opts.bipartite ? canonicalIds(rightRefs) : left;
  const base = { leftRefs: left.refs, rightRefs: opts.bipartite ? right.refs : [], bipartite: !!opts.bipartite, rows, skipped };
  const done = await sink.finish();
  if ('spill' in done) {
    await done.spill.sortRuns(left.remap, right.remap, !opts.bipartite);
    return { ...base, inMemory: false, spill: done.spill };
  }
  remapInPlace(done.edges.left, left.remap);
  remapInPlace(done.edges.right, right.remap);
  const graph: MatchGraph = opts.bipartite
    ? { bipartite: true, nLeft: left.refs.length, nRight: right.refs.length, ...done.edges }
    : { bipartite: false, n: left.refs.length, ...done.edges };
  return { ...base, inMemory: true, graph };
}

/**
 * The group's graph as the potential cycle `cycleId` left it, read in one snapshot; fails (for a
 * retry) when another cycle has replaced it since the run was decided. `onProgress` gets the share
 * of the cycle's rows read so far, 0 … 1.
 */
export async function loadCycleGraph(pool: Pool, groupId: string, cycleId: string, opts: Omit<LoadOptions, 'onRows'>,
  onProgress: (share: number) => void): Promise<LoadedGraph> {
  return withClient(pool, async (c) => {
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      const now = await lastPotentialRun(c, groupId);
      if (now?.cycleId !== cycleId || now.status !== 'COMPLETED') throw new Error(`potential cycle changed while starting (now ${now?.cycleId} ${now?.status}); retrying`);
      const expected = now.edgeCount ?? 0;
      return await loadGroupGraph(c, groupId, { ...opts, onRows: (rows) => { if (expected > 0) onProgress(Math.min(1, rows / expected)); } });
    } finally {
      await c.query('COMMIT');
    }
  });
}

// Keyset pages of a group's nodes (ORDER BY created_at, id, and "after the last row of the
// previous page", never OFFSET): the reads of the nodes table a cycle's fetch-page jobs make.
import type { Pool } from '../shared/db.ts';
import type { KeysetCursor, PageKind } from '../shared/queues.ts';
import type { CycleRow } from './cycleStore.ts';

export interface NodeRow {
  id: string;
  reference_id: string;
  type: string | null;
  metadata: Record<string, unknown>;
  created_at: string;
}

/** N: unprocessed nodes (incremental) or all (full); E: processed nodes (incremental only). */
function processedFilter(mode: CycleRow['mode'], kind: PageKind): string {
  if (mode === 'FULL') return '';
  return kind === 'N' ? 'AND processed = false' : 'AND processed = true';
}

export async function fetchNodePage(deps: { pool: Pool }, cycle: CycleRow, kind: PageKind, after: KeysetCursor | null, limit: number, upTo?: KeysetCursor): Promise<NodeRow[]> {
  // created_at travels as text: a JavaScript Date would cut the microseconds off the keyset
  // position and the next page would repeat rows.
  const params: unknown[] = [cycle.groupId, cycle.domainId];
  const bound = (c: KeysetCursor) => `($${params.push(c.createdAt)}::timestamptz, $${params.push(c.id)}::uuid)`;
  let where = `group_id = $1 AND domain_id = $2 ${processedFilter(cycle.mode, kind)}`;
  if (after) where += ` AND (created_at, id) > ${bound(after)}`;
  if (upTo) where += ` AND (created_at, id) <= ${bound(upTo)}`;
  // a planned page is its range, whole: a LIMIT could leave out a node added inside it since
  const limitClause = upTo ? '' : ` LIMIT $${params.push(limit)}`;
  const { rows } = await deps.pool.query<NodeRow>(
    `SELECT id, reference_id, type, metadata, created_at::text AS created_at FROM nodes WHERE ${where} ORDER BY created_at, id${limitClause}`, params);
  return rows;
}

/**
 * The upper bounds of a kind's full pages: the (created_at, id) of every `pageSize`-th node in
 * keyset order, read in one pass over the keyset index.
 */
export async function planPageBounds(deps: { pool: Pool }, cycle: CycleRow, kind: PageKind, pageSize: number): Promise<KeysetCursor[]> {
  const { rows } = await deps.pool.query<{ created_at: string; id: string }>(
    `SELECT created_at::text AS created_at, id FROM (
       SELECT created_at, id, row_number() OVER (ORDER BY created_at, id) AS n FROM nodes
       WHERE group_id = $1 AND domain_id = $2 ${processedFilter(cycle.mode, kind)}
     ) keyset WHERE n % $3 = 0 ORDER BY n`,
    [cycle.groupId, cycle.domainId, pageSize]);
  return rows.map((r) => ({ createdAt: r.created_at, id: r.id }));
}

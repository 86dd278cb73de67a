// The bulk path into `nodes`. One import is one transaction on one connection: each batch is
// COPYed into a transaction-local staging table and UPSERTed into nodes while the worker parses
// the next batch; failed rows and the final job status commit with the nodes. A worker killed at
// any point leaves nothing (PostgreSQL rolls the transaction back when the connection drops), so
// a retried job starts from a clean table and ends with exactly what a clean import leaves.
import { copyChunks, copyLines } from '../shared/copy.ts';
import type { PoolClient } from '../shared/db.ts';
import { ImportInputError } from './errors.ts';
import type { NewKeyFilter } from './newKeyFilter.ts';
import type { StagedBatch } from './stagedBatch.ts';

export interface MergeTarget {
  jobId: string;
  groupId: string;
  domainId: string;
  /** CSV imports replace a node's metadata; reference-list imports keep it */
  replaceMetadata: boolean;
}

/** The transaction-local table each batch is COPYed into (`fresh`: see NewKeyFilter). */
export const CREATE_STAGING_SQL = `CREATE TEMP TABLE import_staging (
    row_number bigint NOT NULL, id uuid NOT NULL, reference_id text NOT NULL, type text, metadata jsonb,
    fresh boolean NOT NULL
  ) ON COMMIT DROP`;
export const STAGING_COLUMNS = 'row_number, id, reference_id, type, metadata, fresh';

/** Opens the import transaction: serializes imports of the group, creates the staging table. */
export async function beginMerge(client: PoolClient, t: MergeTarget, workMem: string): Promise<void> {
  await client.query('BEGIN');
  // Two imports of one group at once would lock the same rows in different orders (deadlock);
  // the second waits for the first instead.
  await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('matchflow-import:' || $1, 0))`, [t.groupId]);
  // In place of a foreign key checked per row (migration 010): the group cannot be deleted
  // while its import runs, and an import into a missing group fails.
  const { rowCount } = await client.query('SELECT 1 FROM matching_groups WHERE id = $1 AND domain_id = $2 FOR KEY SHARE', [t.groupId, t.domainId]);
  if (!rowCount) throw new ImportInputError('unknown_group', `group ${t.groupId} of domain ${t.domainId} does not exist`);
  await client.query(`SELECT set_config('work_mem', $1, true)`, [workMem]);
  await client.query(CREATE_STAGING_SQL);
  await client.query('DELETE FROM nodes_import_failed_row WHERE job_id = $1', [t.jobId]);
}

/** The group's reference ids after `after` (null: from the first), in index order. */
async function referenceIdPage(client: PoolClient, t: MergeTarget, after: string | null, pageSize: number): Promise<string[]> {
  // two forms rather than `($3 IS NULL OR reference_id > $3)`, which no index bound can serve
  const { rows } = after === null
    ? await client.query<{ reference_id: string }>(
      'SELECT reference_id FROM nodes WHERE group_id = $1 AND domain_id = $2 ORDER BY reference_id LIMIT $3', [t.groupId, t.domainId, pageSize])
    : await client.query<{ reference_id: string }>(
      'SELECT reference_id FROM nodes WHERE group_id = $1 AND domain_id = $2 AND reference_id > $3 ORDER BY reference_id LIMIT $4',
      [t.groupId, t.domainId, after, pageSize]);
  return rows.map((r) => r.reference_id);
}

/**
 * Loads the group's reference ids into the filter, in keyset pages of `pageSize`, so that only
 * keys the group does not hold yet count as new. Stops when the filter is full.
 */
export async function rememberExistingKeys(client: PoolClient, t: MergeTarget, filter: NewKeyFilter, pageSize: number): Promise<void> {
  if (!filter.active) return;
  // A group with more nodes than the filter may hold would fill it before the file's first row:
  // find that out from the index alone rather than by reading maxKeys reference ids.
  const { rowCount } = await client.query(
    'SELECT 1 FROM nodes WHERE group_id = $1 AND domain_id = $2 ORDER BY reference_id OFFSET $3 LIMIT 1',
    [t.groupId, t.domainId, filter.maxKeys]);
  if (rowCount) {
    filter.giveUp();
    return;
  }
  let after: string | null = null;
  while (filter.active) {
    const rows = await referenceIdPage(client, t, after, pageSize);
    for (const r of rows) filter.firstSight(r);
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1];
  }
}

export interface BatchResult {
  /** distinct reference ids of the batch written to nodes */
  touched: number;
  /** of which new nodes */
  inserted: number;
}

/** New nodes of one staged batch: their keys are in neither the group nor an earlier row. */
const INSERT_FRESH_SQL = `INSERT INTO nodes (id, group_id, domain_id, reference_id, type, metadata)
    SELECT id, $1, $2, reference_id, type, COALESCE(metadata, '{}'::jsonb) FROM import_staging WHERE fresh`;

/**
 * The UPSERT of the staged rows that are not surely new. The last row of a reference id wins
 * (DISTINCT ON … row_number DESC). A node whose type and metadata are unchanged keeps `processed`; a new or changed one is
 * left processed = false so that the next potential run takes it. `updated_at` always moves.
 */
export function upsertSql(replaceMetadata: boolean): string {
  return `WITH src AS (
      SELECT DISTINCT ON (reference_id) id, reference_id, type, metadata
      FROM import_staging WHERE NOT fresh ORDER BY reference_id, row_number DESC
    ), up AS (
      INSERT INTO nodes AS n (id, group_id, domain_id, reference_id, type, metadata)
      SELECT id, $1, $2, reference_id, type, COALESCE(metadata, '{}'::jsonb) FROM src
      ON CONFLICT (group_id, domain_id, reference_id) DO UPDATE SET
        type = COALESCE(EXCLUDED.type, n.type),
        ${replaceMetadata ? 'metadata = EXCLUDED.metadata,' : ''}
        updated_at = now(),
        processed = n.processed AND (EXCLUDED.type IS NULL OR EXCLUDED.type = n.type)
          ${replaceMetadata ? 'AND n.metadata = EXCLUDED.metadata' : ''}
      RETURNING (xmax = 0) AS inserted
    )
    SELECT count(*)::int AS touched, (count(*) FILTER (WHERE inserted))::int AS inserted FROM up`;
}

export async function mergeBatch(client: PoolClient, t: MergeTarget, batch: StagedBatch): Promise<BatchResult> {
  const result: BatchResult = { touched: 0, inserted: 0 };
  if (batch.rows > 0) {
    await client.query('TRUNCATE import_staging');
    await copyChunks(client, `COPY import_staging (${STAGING_COLUMNS}) FROM STDIN`, batch.nodeChunks());
    // The fresh rows first: a later row of the same key in this batch then updates that node.
    if (batch.freshRows > 0) {
      const { rowCount } = await client.query(INSERT_FRESH_SQL, [t.groupId, t.domainId]);
      result.touched += rowCount ?? 0;
      result.inserted += rowCount ?? 0;
    }
    if (batch.rows > batch.freshRows) {
      const { rows } = await client.query<BatchResult>(upsertSql(t.replaceMetadata), [t.groupId, t.domainId]);
      result.touched += rows[0].touched;
      result.inserted += rows[0].inserted;
    }
  }
  if (batch.failed.length) {
    await copyLines(client, 'COPY nodes_import_failed_row (job_id, row_number, reference_id, reason) FROM STDIN', batch.failedLines(t.jobId));
  }
  return result;
}

/**
 * Distinct nodes this transaction wrote in the group: every row it inserted or updated carries
 * its transaction id. Needed only when a batch updated rows, since a reference id repeated across
 * batches is then counted once per batch.
 */
export async function countWrittenNodes(client: PoolClient, t: MergeTarget): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM nodes WHERE group_id = $1 AND domain_id = $2 AND xmin = pg_current_xact_id()::xid',
    [t.groupId, t.domainId]);
  return rows[0].n;
}

// The nodes_import_job record of an import: PENDING when enqueued, PROCESSING
// while a worker runs it, COMPLETED or FAILED with its counts and reason.
import type { Pool, PoolClient } from '../shared/db.ts';

export type ImportStatus = 'PENDING' | 'PROCESSING' | 'COMPLETED' | 'FAILED';

export interface ImportJobRow {
  id: string;
  groupId: string;
  domainId: string;
  status: ImportStatus;
  totalNodes: number;
  processedNodes: number;
  failedNodes: number;
  duplicateNodes: number;
  failureReason: string | null;
  source: string | null;
  fileName: string | null;
  requestKey: string | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

type Db = Pool | PoolClient;

const COLUMNS = `id, group_id, domain_id, status, total_nodes, processed_nodes, failed_nodes, duplicate_nodes,
  failure_reason, source, file_name, request_key, created_at, updated_at, started_at, finished_at`;

function toRow(r: Record<string, unknown>): ImportJobRow {
  return {
    id: r.id as string, groupId: r.group_id as string, domainId: r.domain_id as string, status: r.status as ImportStatus,
    totalNodes: r.total_nodes as number, processedNodes: r.processed_nodes as number, failedNodes: r.failed_nodes as number,
    duplicateNodes: r.duplicate_nodes as number, failureReason: r.failure_reason as string | null, source: r.source as string | null,
    fileName: r.file_name as string | null, requestKey: r.request_key as string | null, createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date, startedAt: r.started_at as Date | null, finishedAt: r.finished_at as Date | null,
  };
}

export interface NewImportJob {
  groupId: string;
  domainId: string;
  source: string;
  fileName?: string | null;
  /** makes the request idempotent: a second request with the same key gets the first job */
  requestKey?: string | null;
  /** what the request asks for (src/import/requestKey.ts) */
  requestHash?: string | null;
}

/**
 * Creates the PENDING record, or returns the existing one of the same request key; `sameRequest`
 * is false when that one was asked for with a different request hash.
 */
export async function createImportJob(db: Db, job: NewImportJob): Promise<{ job: ImportJobRow; created: boolean; sameRequest: boolean }> {
  const { rows } = await db.query(
    `INSERT INTO nodes_import_job (group_id, domain_id, status, source, file_name, request_key, request_hash)
     VALUES ($1, $2, 'PENDING', $3, $4, $5, $6)
     ON CONFLICT (request_key) DO NOTHING
     RETURNING ${COLUMNS}`,
    [job.groupId, job.domainId, job.source, job.fileName ?? null, job.requestKey ?? null, job.requestHash ?? null]);
  if (rows[0]) return { job: toRow(rows[0]), created: true, sameRequest: true };
  const { rows: existing } = await db.query(`SELECT ${COLUMNS}, request_hash FROM nodes_import_job WHERE request_key = $1`, [job.requestKey]);
  const storedHash = existing[0].request_hash as string | null;
  return { job: toRow(existing[0]), created: false, sameRequest: storedHash === null || job.requestHash == null || storedHash === job.requestHash };
}

export async function getImportJob(db: Db, id: string): Promise<ImportJobRow | null> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM nodes_import_job WHERE id = $1`, [id]);
  return rows[0] ? toRow(rows[0]) : null;
}

/** A worker starts (or restarts) the import: counts go back to zero. */
export async function markProcessing(db: Db, id: string): Promise<void> {
  await db.query(
    `UPDATE nodes_import_job SET status = 'PROCESSING', started_at = now(), updated_at = now(), finished_at = NULL,
       total_nodes = 0, processed_nodes = 0, failed_nodes = 0, duplicate_nodes = 0, failure_reason = NULL
     WHERE id = $1`, [id]);
}

/** Rows read so far, while the import runs (outside its transaction, so that readers see it). */
export async function reportRowsRead(db: Db, id: string, rowsRead: number, failed: number): Promise<void> {
  await db.query(
    `UPDATE nodes_import_job SET total_nodes = $2, failed_nodes = $3, updated_at = now() WHERE id = $1 AND status = 'PROCESSING'`,
    [id, rowsRead, failed]);
}

export interface ImportCounts {
  total: number;
  processed: number;
  failed: number;
  duplicates: number;
}

/** The final state, written in the import's own transaction (with its nodes) or alone on failure. */
export async function finishImportJob(
  db: Db, id: string, status: 'COMPLETED' | 'FAILED', counts: ImportCounts, reason: string | null,
): Promise<void> {
  await db.query(
    `UPDATE nodes_import_job SET status = $2, total_nodes = $3, processed_nodes = $4, failed_nodes = $5,
       duplicate_nodes = $6, failure_reason = $7, finished_at = now(), updated_at = now()
     WHERE id = $1`,
    [id, status, counts.total, counts.processed, counts.failed, counts.duplicates, reason]);
}

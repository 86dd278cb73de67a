// One import, start to end: open the source, stream it into batches, merge each batch into nodes
// inside one transaction while the next batch is parsed, and commit the nodes, the rejected rows
// and the job's final status together.
import type { Config } from '../shared/config.ts';
import type { Pool, PoolClient } from '../shared/db.ts';
import type { Logger } from '../shared/logger.ts';
import { metrics } from '../shared/metrics.ts';
import type { ImportFilePayload } from '../shared/queues.ts';
import { csvBatches } from './csvBatches.ts';
import { decodedBytes, type ByteCounts } from './decompress.ts';
import { ImportInputError } from './errors.ts';
import { finishImportJob, getImportJob, markProcessing, reportRowsRead, type ImportCounts, type ImportJobRow } from './importJobs.ts';
import { beginMerge, countWrittenNodes, mergeBatch, rememberExistingKeys, type BatchResult, type MergeTarget } from './nodeMerge.ts';
import { NewKeyFilter } from './newKeyFilter.ts';
import { nodeIdSequence } from './nodeIds.ts';
import { stageReference, type RowContext } from './rowValidation.ts';
import { openSource } from './source.ts';
import { StagedBatch } from './stagedBatch.ts';

export interface ImportProgress {
  rowsRead: number;
  failed: number;
  bytesRead: number;
  totalBytes: number | null;
  /** 0..100, from bytes (files) or rows (reference lists) */
  percent: number;
}

export interface ImportRunDeps {
  cfg: Config;
  pool: Pool;
  log: Logger;
  onProgress?: (p: ImportProgress) => Promise<unknown> | void;
}

export interface ImportOutcome {
  jobId: string;
  status: 'COMPLETED' | 'FAILED';
  counts: ImportCounts;
  reason: string | null;
  /** the first accepted reference ids (status event success list) */
  successSample: string[];
  /** the first rejected reference ids, or row numbers when a row had none (failed list) */
  failedSample: string[];
  /** true when the job had already completed and nothing was run again */
  alreadyDone?: boolean;
}

function referenceBatches(ids: unknown[], cfg: Config, payload: ImportFilePayload, nextId: () => string, newKeys: NewKeyFilter): Generator<StagedBatch> {
  const ctx: RowContext = {
    plan: { width: 1, referenceIdIndex: 0, typeIndex: null, metadata: [], headers: ['reference_id'] },
    rules: { maxValueLength: cfg.importMaxFieldLength, defaultType: payload.type ?? null, maxRecordedFailures: cfg.importMaxRecordedFailedRows },
    nextId,
    recordedFailures: 0,
  };
  return (function* () {
    for (let start = 0; start < ids.length; start += cfg.importBatchSize) {
      const batch = new StagedBatch(cfg.statusListCap, newKeys);
      const end = Math.min(ids.length, start + cfg.importBatchSize);
      for (let i = start; i < end; i++) stageReference(ids[i], i + 1, ctx, batch);
      yield batch;
    }
  })();
}

function outcomeOf(job: ImportJobRow): ImportOutcome {
  return {
    jobId: job.id, status: job.status === 'COMPLETED' ? 'COMPLETED' : 'FAILED',
    counts: { total: job.totalNodes, processed: job.processedNodes, failed: job.failedNodes, duplicates: job.duplicateNodes },
    reason: job.failureReason, successSample: [], failedSample: [], alreadyDone: true,
  };
}

/** The import's rows as batches, from a file, an object or a reference list. */
interface BatchSource {
  batches: AsyncIterable<StagedBatch> | Iterable<StagedBatch>;
  /** bytes read so far and whether they were gzip (files and objects) */
  bytes: ByteCounts;
  /** the file's size, when known: progress by bytes */
  totalBytes: number | null;
  /** the reference list's length: progress by rows */
  totalRows: number;
  close(): Promise<void>;
}

async function openBatches(cfg: Config, payload: ImportFilePayload, nextId: () => string, newKeys: NewKeyFilter): Promise<BatchSource> {
  const bytes: ByteCounts = { read: 0, decoded: 0, gzip: false };
  if (payload.source.kind === 'references') {
    const ids = payload.source.referenceIds;
    if (!Array.isArray(ids)) throw new ImportInputError('references_invalid', 'referenceIds is not a list');
    return { batches: referenceBatches(ids, cfg, payload, nextId, newKeys), bytes, totalBytes: null, totalRows: ids.length, close: async () => undefined };
  }
  const src = await openSource(cfg, payload.source);
  const batches = csvBatches(decodedBytes(src.bytes, bytes, cfg.importMaxInflateRatio), {
    batchSize: cfg.importBatchSize,
    maxRecordSize: cfg.importMaxRecordSize,
    maxValueLength: cfg.importMaxFieldLength,
    defaultType: payload.type ?? null,
    maxRecordedFailures: cfg.importMaxRecordedFailedRows,
    nextId,
    sampleCap: cfg.statusListCap,
    newKeys,
  });
  return { batches, bytes, totalBytes: src.size, totalRows: 0, close: src.close };
}

/** What the batches of an import added up to, and the samples its status event lists. */
class ImportTally {
  accepted = 0;
  failed = 0;
  /** nodes the merges inserted or updated */
  touched = 0;
  /** some merge updated an existing node: the written count must be taken from the table */
  anyUpdate = false;
  readonly successSample: string[] = [];
  readonly failedSample: string[] = [];
  constructor(private readonly sampleCap: number) {}

  addBatch(batch: StagedBatch): void {
    this.accepted += batch.rows;
    this.failed += batch.failures;
    for (const id of batch.idSample) if (this.successSample.length < this.sampleCap) this.successSample.push(id);
    for (const f of batch.failed) if (this.failedSample.length < this.sampleCap) this.failedSample.push(f.referenceId ?? `row ${f.rowNumber}`);
  }

  addMerge(r: BatchResult): void {
    this.touched += r.touched;
    if (r.touched > r.inserted) this.anyUpdate = true;
  }

  get rowsRead(): number {
    return this.accepted + this.failed;
  }

  percent(source: BatchSource): number {
    const p = source.totalBytes ? (100 * source.bytes.read) / source.totalBytes
      : source.totalRows ? (100 * this.rowsRead) / source.totalRows : 0;
    return Math.floor(Math.min(99, p));
  }
}

/**
 * The job's final status, committed with its nodes: COMPLETED only when every row imported;
 * otherwise FAILED with the good rows kept (partial success) and the rejected ones listed.
 */
async function finishImport(client: PoolClient, cfg: Config, target: MergeTarget, tally: ImportTally): Promise<{ status: ImportOutcome['status']; counts: ImportCounts; reason: string | null }> {
  const written = tally.anyUpdate ? await countWrittenNodes(client, target) : tally.touched;
  const { failed } = tally;
  const total = tally.rowsRead;
  const counts: ImportCounts = { total, processed: written, failed, duplicates: tally.accepted - written };
  const status = failed > 0 ? 'FAILED' : 'COMPLETED';
  const recorded = Math.min(failed, cfg.importMaxRecordedFailedRows);
  const reason = failed > 0
    ? `${failed} of ${total} rows rejected${recorded < failed ? ` (first ${recorded} recorded)` : ''}; see nodes_import_failed_row`
    : null;
  await finishImportJob(client, target.jobId, status, counts, reason);
  await client.query('COMMIT');
  return { status, counts, reason };
}

/** Runs the import of one nodes_import_job. Throws ImportInputError for input that can never import. */
export async function runImport(payload: ImportFilePayload, deps: ImportRunDeps): Promise<ImportOutcome> {
  const { cfg, pool, log } = deps;
  const started = process.hrtime.bigint();
  const job = await getImportJob(pool, payload.importJobId);
  if (!job) throw new ImportInputError('unknown_import_job', `no nodes_import_job ${payload.importJobId}`);
  // A worker that died after the commit but before BullMQ heard of it: the work is done.
  if (job.status === 'COMPLETED') return outcomeOf(job);
  await markProcessing(pool, job.id);

  const target: MergeTarget = {
    jobId: job.id, groupId: payload.groupId, domainId: payload.domainId, replaceMetadata: payload.source.kind !== 'references',
  };
  const newKeys = new NewKeyFilter(cfg.importNewKeyMaxKeys);
  const source = await openBatches(cfg, payload, nodeIdSequence(), newKeys);
  const tally = new ImportTally(cfg.statusListCap);
  let client: PoolClient | undefined;
  let broken = false;
  // The previous batch's COPY + UPSERT runs on the server while the loop below parses the next.
  let inFlight: Promise<BatchResult> | null = null;
  // Time spent waiting for PostgreSQL with the next batch ready: where the import is bound.
  let waitMs = 0;
  const settle = async () => {
    if (!inFlight) return;
    const t0 = performance.now();
    tally.addMerge(await inFlight);
    waitMs += performance.now() - t0;
    inFlight = null;
  };
  try {
    client = await pool.connect();
    await beginMerge(client, target, cfg.importWorkMem);
    // before the first row is read (the batches are parsed lazily, in the loop below)
    await rememberExistingKeys(client, target, newKeys, cfg.importBatchSize);
    for await (const batch of source.batches) {
      await settle();
      tally.addBatch(batch);
      inFlight = mergeBatch(client, target, batch);
      // A rejection is handled by settle(); this keeps it from being reported as unhandled meanwhile.
      inFlight.catch(() => undefined);
      await reportRowsRead(pool, job.id, tally.rowsRead, tally.failed);
      const progress = { rowsRead: tally.rowsRead, failed: tally.failed, bytesRead: source.bytes.read, totalBytes: source.totalBytes };
      await deps.onProgress?.({ ...progress, percent: tally.percent(source) });
    }
    await settle();
    const { status, counts, reason } = await finishImport(client, cfg, target, tally);
    metrics.nodesImported.inc({ domainId: payload.domainId }, counts.processed);
    if (counts.failed) metrics.nodesImportFailedRows.inc({ reason: 'rejected_row' }, counts.failed);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    metrics.importJobDuration.observe(seconds);
    await deps.onProgress?.({ rowsRead: counts.total, failed: counts.failed, bytesRead: source.bytes.read, totalBytes: source.totalBytes, percent: 100 });
    log.info({
      importJobId: job.id, status, ...counts, gzip: source.bytes.gzip, bytes: source.bytes.read,
      seconds, waitingForDatabaseSeconds: waitMs / 1000,
    }, 'import finished');
    return { jobId: job.id, status, counts, reason, successSample: tally.successSample, failedSample: tally.failedSample };
  } catch (err) {
    if (client) {
      await (inFlight as Promise<BatchResult> | null)?.catch(() => undefined);
      // A connection that failed mid-COPY may be unusable: discard it rather than pool it.
      await client.query('ROLLBACK').catch(() => { broken = true; });
    }
    throw err;
  } finally {
    client?.release(broken);
    await source.close();
  }
}

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
  const nextId = nodeIdSequence();
  const newKeys = new NewKeyFilter(cfg.importNewKeyMaxKeys);
  const counts: ByteCounts = { read: 0, decoded: 0, gzip: false };
  let totalBytes: number | null = null;
  let batches: AsyncIterable<StagedBatch> | Iterable<StagedBatch>;
  let close = async () => undefined as void;
  if (payload.source.kind === 'references') {
    const ids = payload.source.referenceIds;
    if (!Array.isArray(ids)) throw new ImportInputError('references_invalid', 'referenceIds is not a list');
    batches = referenceBatches(ids, cfg, payload, nextId, newKeys);
    totalBytes = null;
  } else {
    const src = await openSource(cfg, payload.source);
    close = src.close;
    totalBytes = src.size;
    batches = csvBatches(decodedBytes(src.bytes, counts, cfg.importMaxInflateRatio), {
      batchSize: cfg.importBatchSize,
      maxRecordSize: cfg.importMaxRecordSize,
      maxValueLength: cfg.importMaxFieldLength,
      defaultType: payload.type ?? null,
      maxRecordedFailures: cfg.importMaxRecordedFailedRows,
      nextId,
      sampleCap: cfg.statusListCap,
      newKeys,
    });
  }
  const referenceTotal = payload.source.kind === 'references' ? payload.source.referenceIds.length : 0;

  let client: PoolClient | undefined;
  let broken = false;
  // The previous batch's COPY + UPSERT runs on the server while the loop below parses the next.
  let inFlight: Promise<BatchResult> | null = null;
  try {
    client = await pool.connect();
    await beginMerge(client, target, cfg.importWorkMem);
    // before the first row is read (the batches are parsed lazily, in the loop below)
    await rememberExistingKeys(client, target, newKeys, cfg.importBatchSize);
    let accepted = 0;
    let failed = 0;
    let touched = 0;
    let anyUpdate = false;
    const successSample: string[] = [];
    const failedSample: string[] = [];
    // Time spent waiting for PostgreSQL with the next batch ready: where the import is bound.
    let waitMs = 0;
    const settle = async () => {
      if (!inFlight) return;
      const t0 = performance.now();
      const r = await inFlight;
      waitMs += performance.now() - t0;
      inFlight = null;
      touched += r.touched;
      if (r.touched > r.inserted) anyUpdate = true;
    };
    for await (const batch of batches) {
      await settle();
      accepted += batch.rows;
      failed += batch.failures;
      for (const id of batch.idSample) if (successSample.length < cfg.statusListCap) successSample.push(id);
      for (const f of batch.failed) if (failedSample.length < cfg.statusListCap) failedSample.push(f.referenceId ?? `row ${f.rowNumber}`);
      const c = client;
      inFlight = mergeBatch(c, target, batch);
      // A rejection is handled by settle(); this keeps it from being reported as unhandled meanwhile.
      inFlight.catch(() => undefined);
      const rowsRead = accepted + failed;
      await reportRowsRead(pool, job.id, rowsRead, failed);
      const percent = totalBytes ? Math.min(99, (100 * counts.read) / totalBytes)
        : referenceTotal ? Math.min(99, (100 * rowsRead) / referenceTotal) : 0;
      await deps.onProgress?.({ rowsRead, failed, bytesRead: counts.read, totalBytes, percent: Math.floor(percent) });
    }
    await settle();
    const written = anyUpdate ? await countWrittenNodes(client, target) : touched;
    const total = accepted + failed;
    const result: ImportCounts = { total, processed: written, failed, duplicates: accepted - written };
    // Seed 002 §4.2: a job is COMPLETED only when every row imported; otherwise FAILED with the
    // good rows kept (partial success) and the rejected ones listed.
    const status = failed > 0 ? 'FAILED' : 'COMPLETED';
    const recorded = Math.min(failed, cfg.importMaxRecordedFailedRows);
    const reason = failed > 0
      ? `${failed} of ${total} rows rejected${recorded < failed ? ` (first ${recorded} recorded)` : ''}; see nodes_import_failed_row`
      : null;
    await finishImportJob(client, job.id, status, result, reason);
    await client.query('COMMIT');
    metrics.nodesImported.inc({ domainId: payload.domainId }, written);
    if (failed) metrics.nodesImportFailedRows.inc({ reason: 'rejected_row' }, failed);
    metrics.importJobDuration.observe(Number(process.hrtime.bigint() - started) / 1e9);
    await deps.onProgress?.({ rowsRead: total, failed, bytesRead: counts.read, totalBytes, percent: 100 });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    log.info({
      importJobId: job.id, status, ...result, gzip: counts.gzip, bytes: counts.read,
      seconds, waitingForDatabaseSeconds: waitMs / 1000,
    }, 'import finished');
    return { jobId: job.id, status, counts: result, reason, successSample, failedSample };
  } catch (err) {
    if (client) {
      await (inFlight as Promise<BatchResult> | null)?.catch(() => undefined);
      // A connection that failed mid-COPY may be unusable: discard it rather than pool it.
      await client.query('ROLLBACK').catch(() => { broken = true; });
    }
    throw err;
  } finally {
    client?.release(broken);
    await close();
  }
}

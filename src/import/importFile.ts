// The `import-file` processor: runs the import, reports BullMQ progress, fails bad input at once
// (no retries), marks the job FAILED when the last attempt fails, and publishes the status event.
import { UnrecoverableError, type Job } from 'bullmq';
import { ImportInputError } from './errors.ts';
import { finishImportJob } from './importJobs.ts';
import { runImport, type ImportOutcome } from './runImport.ts';
import { statusEvent } from './statusEvent.ts';
import { kafkaPublisher, type Publish } from '../shared/kafka.ts';
import type { ImportFilePayload, KafkaOrigin } from '../shared/queues.ts';
import { dlqMessage } from './dlqMessage.ts';
import type { WorkerDeps } from '../shared/processor.ts';
import type { NodeExchange } from './nodeExchange.ts';

export interface ImportJobResult {
  importJobId: string;
  status: 'COMPLETED' | 'FAILED';
  total: number;
  processed: number;
  failed: number;
  duplicates: number;
  reason: string | null;
}

async function publishStatus(deps: WorkerDeps, publish: Publish | null, payload: ImportFilePayload, outcome: ImportOutcome): Promise<void> {
  if (!publish) return;
  const event = statusEvent(payload.groupId, payload.domainId, outcome, deps.cfg.statusListCap);
  try {
    await publish(deps.cfg.kafkaStatusTopic, [{ key: outcome.jobId, value: JSON.stringify(event) }]);
  } catch (err) {
    // The import itself is committed; re-running it for a lost status event would be wrong.
    deps.log.error({ err, importJobId: outcome.jobId }, 'could not publish the import status event');
  }
}

/**
 * The request an import job carries, as a NodeExchange that can be replayed. The job
 * keeps only where the Kafka message was, not its text: this is the request as understood, with
 * the domain and group by id. It has no requestId, so that a replay is a new import.
 */
function replayableRequest(payload: ImportFilePayload): NodeExchange {
  const { source } = payload;
  return {
    domainId: payload.domainId,
    groupId: payload.groupId,
    ...(source.kind === 'references' ? { referenceIds: source.referenceIds } : { filePath: source.kind === 'file' ? source.path : source.url }),
    ...(payload.fileName ? { fileName: payload.fileName } : {}),
    ...(payload.contentType ? { contentType: payload.contentType } : {}),
    ...(payload.type ? { type: payload.type } : {}),
  };
}

/** A Kafka request whose import finally failed goes to the DLQ with the reason, to be replayed. */
async function sendToDlq(deps: WorkerDeps, publish: Publish | null, payload: ImportFilePayload, origin: KafkaOrigin, reason: string): Promise<void> {
  if (!publish) return;
  try {
    await publish(deps.cfg.kafkaDlqTopic, [dlqMessage(origin, JSON.stringify(replayableRequest(payload)), reason)]);
  } catch (err) {
    deps.log.error({ err, topic: origin.topic, offset: origin.offset }, 'could not send the failed import request to the DLQ');
  }
}

/** The processor, with the status publisher given (tests pass their own). */
export async function processImportFile(
  job: Job<ImportFilePayload>, deps: WorkerDeps, publish: Publish | null,
): Promise<ImportJobResult> {
  const payload = job.data;
  try {
    const outcome = await runImport(payload, {
      cfg: deps.cfg, pool: deps.pool, log: deps.log,
      onProgress: (p) => job.updateProgress({ ...p }),
    });
    if (!outcome.alreadyDone) await publishStatus(deps, publish, payload, outcome);
    return {
      importJobId: outcome.jobId, status: outcome.status, reason: outcome.reason, ...outcome.counts,
    };
  } catch (err) {
    const permanent = err instanceof ImportInputError;
    const lastAttempt = permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    // The reason is shown to the client (GET /v1/imports/:id, the status event): only input errors
    // say what went wrong; anything else (a database error, the network) is in the worker's log.
    const message = permanent ? (err as Error).message : 'the import failed on the server (the worker log has the details)';
    if (lastAttempt) {
      const counts = { total: 0, processed: 0, failed: 0, duplicates: 0 };
      await finishImportJob(deps.pool, payload.importJobId, 'FAILED', counts, message)
        .catch((e) => deps.log.error({ err: e }, 'could not mark the import FAILED'));
      await publishStatus(deps, publish, payload, {
        jobId: payload.importJobId, status: 'FAILED', counts, reason: message, successSample: [], failedSample: [],
      });
      if (payload.origin) await sendToDlq(deps, publish, payload, payload.origin, `import ${payload.importJobId} failed: ${message}`);
    }
    throw permanent ? new UnrecoverableError(`${(err as ImportInputError).code}: ${message}`) : err;
  }
}

export function importFile(job: Job<ImportFilePayload>, deps: WorkerDeps): Promise<ImportJobResult> {
  return processImportFile(job, deps, kafkaPublisher(deps.cfg));
}

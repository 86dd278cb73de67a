// Every trigger (HTTP, Kafka, CLI, demo) enqueues an import the same way: resolve (or create) the
// domain and group, create the PENDING nodes_import_job (idempotent on the request key, scoped by
// client, domain and group: src/import/requestKey.ts), and add
// the `import-file` job with the import id as its BullMQ job id, so that a repeated request adds
// nothing.
import type { Queue } from 'bullmq';
import { CatalogError, resolveDomain, resolveGroup } from '../groups/catalog.ts';
import { nameProblem } from '../groups/names.ts';
import type { Config } from '../shared/config.ts';
import type { Pool } from '../shared/db.ts';
import { JOB, type ImportFilePayload, type KafkaOrigin } from '../shared/queues.ts';
import { ImportInputError } from './errors.ts';
import { createImportJob, type ImportStatus } from './importJobs.ts';
import { checkLexicallyConfined } from './localPath.ts';
import type { ImportRequest } from './nodeExchange.ts';
import { parseObjectUrl } from './s3Object.ts';
import { describeSource } from './source.ts';
import { requestFingerprint, scopedRequestKey } from './requestKey.ts';

export interface EnqueueDeps {
  cfg: Config;
  pool: Pool;
  /** the `import` queue */
  queue: Queue;
}

export interface Enqueued {
  importJobId: string;
  status: ImportStatus;
  /** false when the request key had been seen: nothing new was enqueued */
  created: boolean;
  domainId: string;
  groupId: string;
}

/** Refuses at once what the worker would refuse anyway (a path outside the root, a foreign host), and unprintable names. */
function precheck(cfg: Config, req: ImportRequest): void {
  for (const [what, name] of [['domain', req.domain], ['group', req.group]] as const) {
    const problem = nameProblem(what, name);
    if (problem) throw new ImportInputError('name_invalid', problem);
  }
  if (req.source.kind === 'file') checkLexicallyConfined(cfg.importRoot, req.source.path);
  if (req.source.kind === 's3') parseObjectUrl(cfg, req.source.url);
  if (req.source.kind === 'references' && req.source.referenceIds.length === 0) {
    throw new ImportInputError('references_empty', 'the reference id list is empty');
  }
}

async function domainAndGroup(pool: Pool, req: ImportRequest) {
  const domainId = (await resolveDomain(pool, req.domain, true))!;
  return { domainId, group: (await resolveGroup(pool, domainId, req.group, {}))! };
}

export async function enqueueImport(deps: EnqueueDeps, req: ImportRequest, origin?: KafkaOrigin): Promise<Enqueued> {
  precheck(deps.cfg, req);
  const { domainId, group } = await domainAndGroup(deps.pool, req).catch((err) => {
    throw err instanceof CatalogError ? new ImportInputError('invalid_group', err.message) : err;
  });
  const { job, created, sameRequest } = await createImportJob(deps.pool, {
    groupId: group.id, domainId, source: describeSource(req.source), fileName: req.fileName ?? null,
    requestKey: req.requestKey ? scopedRequestKey(req.requestKey, domainId, group.id) : null,
    requestHash: req.requestKey ? requestFingerprint(req) : null,
  });
  if (!sameRequest) {
    throw new ImportInputError('idempotency_key_reused', 'this idempotency key was used before for a different request in this group');
  }
  // PENDING: new, or an earlier enqueue that stopped between the row and the queue. Adding again
  // under the same job id is a no-op while BullMQ still holds the job.
  if (job.status === 'PENDING') {
    const payload: ImportFilePayload = {
      importJobId: job.id, domainId, groupId: group.id, source: req.source,
      ...(req.type ? { type: req.type } : {}),
      ...(req.fileName ? { fileName: req.fileName } : {}),
      ...(req.contentType ? { contentType: req.contentType } : {}),
      ...(origin ? { origin } : {}),
    };
    await deps.queue.add(JOB.importFile, payload, { jobId: job.id });
  }
  return { importJobId: job.id, status: job.status, created, domainId, groupId: group.id };
}

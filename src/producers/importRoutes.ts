// POST /v1/imports (a NodeExchange body → 202 with the import id; an Idempotency-Key counts per
// token, domain and group, and 409 answers the same key with a different body) and GET /v1/imports/:id.
import type { Queue } from 'bullmq';
import express, { type Router } from 'express';
import type { Config } from '../shared/config.ts';
import type { Pool } from '../shared/db.ts';
import { isUuid } from '../groups/catalog.ts';
import { enqueueImport } from '../import/enqueueImport.ts';
import { ImportInputError } from '../import/errors.ts';
import { getImportJob, type ImportJobRow } from '../import/importJobs.ts';
import { importRequestOf, validateNodeExchange } from '../import/nodeExchange.ts';
import { summarizeProblems } from '../shared/problemSummary.ts';
import { ApiError } from './apiErrors.ts';
import { apiClient } from './bearerAuth.ts';
import { logger } from '../shared/logger.ts';

export interface ImportRoutesDeps {
  cfg: Config;
  pool: Pool;
  /** the `import` queue */
  importQueue: Queue;
}

const IDEMPOTENCY_KEY_MAX = 200;

export function importView(job: ImportJobRow, progress: unknown) {
  return {
    importJobId: job.id,
    status: job.status,
    domainId: job.domainId,
    groupId: job.groupId,
    total: job.totalNodes,
    processed: job.processedNodes,
    failed: job.failedNodes,
    duplicates: job.duplicateNodes,
    failureReason: job.failureReason,
    source: job.source,
    fileName: job.fileName,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    progress: progress ?? null,
  };
}

export function importRoutes(deps: ImportRoutesDeps): Router {
  const router = express.Router();

  router.post('/v1/imports', async (req, res) => {
    if (!req.is('application/json')) throw new ApiError(415, 'unsupported_media_type', 'send the NodeExchange as Content-Type: application/json');
    const v = validateNodeExchange(req.body);
    if (!v.ok) throw new ApiError(400, 'invalid_request', `the body is not a valid NodeExchange: ${summarizeProblems(v.errors).text}`, v.errors);
    const key = req.get('idempotency-key') ?? v.value.requestId;
    if (key !== undefined && (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX)) {
      throw new ApiError(400, 'invalid_request', `the idempotency key must have 1 to ${IDEMPOTENCY_KEY_MAX} characters`);
    }
    try {
      const requestKey = key ? `http:${apiClient(res)}:${key}` : undefined;
      const e = await enqueueImport({ cfg: deps.cfg, pool: deps.pool, queue: deps.importQueue }, importRequestOf(v.value, requestKey));
      res.status(202).location(`/v1/imports/${e.importJobId}`).json({
        importJobId: e.importJobId, status: e.status, created: e.created, domainId: e.domainId, groupId: e.groupId,
        statusUrl: `/v1/imports/${e.importJobId}`,
      });
    } catch (err) {
      if (err instanceof ImportInputError) {
        if (err.detail) logger().info({ code: err.code, detail: err.detail }, 'import request refused');
        throw new ApiError(err.code === 'idempotency_key_reused' ? 409 : 400, err.code, err.message);
      }
      throw err;
    }
  });

  router.get('/v1/imports/:id', async (req, res) => {
    const id = req.params.id;
    if (!isUuid(id)) throw new ApiError(400, 'invalid_id', 'an import id is a UUID');
    const job = await getImportJob(deps.pool, id);
    if (!job) throw new ApiError(404, 'not_found', `no import ${id}`);
    const bull = job.status === 'PROCESSING' ? await deps.importQueue.getJob(id) : undefined;
    res.json(importView(job, bull?.progress));
  });

  return router;
}

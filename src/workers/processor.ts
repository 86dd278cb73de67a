import type { Job } from 'bullmq';
import type { RedisClient } from '../shared/redis.ts';
import type { Config } from '../shared/config.ts';
import type { Pool } from '../shared/db.ts';
import type { Logger } from '../shared/logger.ts';
import type { JobName, JobPayloads } from '../shared/queues.ts';

/** What every processor gets besides its job: long-lived resources of the worker process. */
export interface WorkerDeps {
  cfg: Config;
  pool: Pool;
  /** a shared, non-blocking Redis connection for locks, caches and queues */
  redis: RedisClient;
  /** logger carrying jobId, queue, cycleId, groupId and domainId */
  log: Logger;
  /**
   * Aborted when the worker hands this job back to the queue (shutdown deadline passed): the
   * job will run again elsewhere, so long work should stop and write nothing more.
   */
  signal?: AbortSignal;
  /** the worker's lock token of this job (job.moveToDelayed, job.moveToWaitingChildren need it) */
  token?: string;
}

/** A job processor: a thin shell that fetches, calls the pure core, and writes. */
export type Processor<N extends JobName = JobName> = (job: Job<JobPayloads[N], unknown, N>, deps: WorkerDeps) => Promise<unknown>;

export type ProcessorMap = { [N in JobName]?: Processor<N> };

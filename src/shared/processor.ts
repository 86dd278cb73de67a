// The contract between the pipelines and the worker runtime (src/workers): what a processor is
// handed, and how a pipeline asks for threads for its CPU work.
import type { Transferable } from 'node:worker_threads';
import type { Job } from 'bullmq';
import type { RedisClient } from './redis.ts';
import type { Config } from './config.ts';
import type { Pool } from './db.ts';
import type { Logger } from './logger.ts';
import type { JobName, JobPayloads } from './queues.ts';

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
  /** the threads of the job's pipeline (its ThreadSpec), for CPU work off the event loop */
  threads: ThreadRunner;
}

/** Runs an exported function of a pipeline's thread module in a worker thread. */
export interface ThreadRunner {
  run<T>(fn: string, input: unknown, transfer?: Transferable[]): Promise<T>;
}

/** A pipeline's thread module and how many threads a worker process gives it. */
export interface ThreadSpec {
  module: URL;
  size(cfg: Config): number;
}

/**
 * The URL of module `name` beside the module at `importMetaUrl`, with that module's extension:
 * .js when running the build in dist/, .ts when running the sources (tests, under tsx).
 */
export function siblingModule(importMetaUrl: string, name: string): URL {
  const ext = /\.[cm]?[jt]s$/.exec(new URL(importMetaUrl).pathname)?.[0] ?? '.js';
  return new URL(`./${name}${ext}`, importMetaUrl);
}

/** A job processor: a thin shell that fetches, calls the pure core, and writes. */
export type Processor<N extends JobName = JobName> = (job: Job<JobPayloads[N], unknown, N>, deps: WorkerDeps) => Promise<unknown>;

export type ProcessorMap = { [N in JobName]?: Processor<N> };

// Starts BullMQ workers for queues, dispatching each job by name to its processor, and stops
// them gracefully: no new jobs, running ones finish (or go back to the queue) before a deadline.
import { DelayedError, Worker, type Job } from 'bullmq';
import type { Config } from '../shared/config.ts';
import { createPool, type Pool } from '../shared/db.ts';
import { jobLogger, logger } from '../shared/logger.ts';
import { metrics } from '../shared/metrics.ts';
import { createRedis } from '../shared/redis.ts';
import { bullConnection } from '../shared/queue.ts';
import type { JobName, QueueName } from '../shared/queues.ts';
import type { ProcessorMap, ThreadRunner, WorkerDeps } from '../shared/processor.ts';
import { PROCESSORS, THREADS } from './processors.ts';
import { threadPoolFor } from './threadPool.ts';

export interface WorkerPool {
  workers: Worker[];
  deps: Omit<WorkerDeps, 'log' | 'threads'>;
  /**
   * Stops taking jobs and waits for running ones up to the deadline; jobs still running then are
   * handed back to their queue (moved to wait, no attempt used) and told so through their
   * signal. Closes the connections.
   */
  close(deadlineMs?: number): Promise<void>;
}

export interface StartWorkersOptions {
  queues: QueueName[];
  concurrency?: number;
  /** processors to use instead of the registry (tests) */
  processors?: Partial<Record<QueueName, ProcessorMap>>;
  /** reuse an existing pool instead of creating one (closed by the caller) */
  pool?: Pool;
}

interface CycleFields { cycleId?: string; groupId?: string; domainId?: string }

export async function startWorkers(cfg: Config, opts: StartWorkersOptions): Promise<WorkerPool> {
  const pool = opts.pool ?? createPool(cfg);
  const redis = createRedis(cfg);
  const deps = { cfg, pool, redis };

  // Running jobs with their lock tokens, so that a shutdown past its deadline can hand them back.
  const running = new Map<string, { job: Job; token: string | undefined }>();
  const workers = opts.queues.map((queue) => {
    const processors = opts.processors?.[queue] ?? PROCESSORS[queue];
    const spec = THREADS[queue];
    // started before the first job unless a test brings its own processors
    const threads: ThreadRunner = spec && !opts.processors ? threadPoolFor(spec, cfg) : lazyThreads(queue, cfg);
    const worker = new Worker(queue, async (job: Job, token?: string, signal?: AbortSignal) => {
      const data = (job.data ?? {}) as CycleFields;
      const log = jobLogger({ jobId: job.id, queue, cycleId: data.cycleId, groupId: data.groupId, domainId: data.domainId });
      const processor = processors[job.name as JobName];
      if (!processor) throw new Error(`no processor for job '${job.name}' on queue '${queue}'`);
      const t0 = Date.now();
      const key = `${queue}:${job.id}`;
      running.set(key, { job, token });
      log.debug({ attempt: job.attemptsMade + 1, job: job.name }, 'job started');
      try {
        const result = await (processor as (j: Job, d: WorkerDeps) => Promise<unknown>)(job, { ...deps, log, signal, token, threads });
        log.info({ job: job.name, ms: Date.now() - t0 }, 'job completed');
        return result;
      } catch (err) {
        if (err instanceof DelayedError) throw err; // postponed on purpose, not a failure
        log.warn({ job: job.name, ms: Date.now() - t0, attempt: job.attemptsMade + 1, err }, 'job failed');
        throw err;
      } finally {
        running.delete(key);
      }
    }, {
      connection: bullConnection(cfg),
      prefix: cfg.queuePrefix,
      concurrency: opts.concurrency ?? cfg.workerConcurrency,
      lockDuration: cfg.workerLockDurationMs,
      stalledInterval: cfg.workerStalledIntervalMs,
      maxStalledCount: cfg.workerMaxStalledCount,
    });
    worker.on('error', (err) => logger().error({ queue, err }, 'worker error'));
    // a job that failed for good after its attempts (or stalled too often); not one refused as unrecoverable
    worker.on('failed', (job, err) => {
      if (job?.finishedOn && err?.name !== 'UnrecoverableError') metrics.maxRetriesExceeded.inc({ queue, job: job.name });
    });
    return worker;
  });
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  let closing: Promise<void> | undefined;
  return {
    workers,
    deps,
    close(deadlineMs = cfg.shutdownTimeoutMs) {
      closing ??= (async () => {
        const graceful = Promise.all(workers.map((w) => w.close()));
        const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), deadlineMs).unref());
        if ((await Promise.race([graceful, timer])) === 'timeout') {
          // worker.close(true) would not help here: BullMQ returns the pending graceful close.
          // Hand the jobs back first (this removes their locks), then abort them, so that a
          // processor that stops on its signal cannot fail the job and use up an attempt.
          const jobs = [...running.values()];
          logger().warn({ deadlineMs, jobs: jobs.map((r) => r.job.id) }, 'shutdown deadline passed: handing running jobs back to their queues');
          await Promise.all(jobs.map(({ job, token }) => job.moveToWait(token).catch((err: Error) =>
            logger().warn({ jobId: job.id, err: err.message }, 'could not hand the job back; it will be retried as stalled'))));
          for (const w of workers) w.cancelAllJobs('shutdown deadline passed: job handed back to the queue');
          redis.disconnect();
          // A client still held by an abandoned job would keep pool.end() waiting: don't.
          if (!opts.pool) void pool.end().catch(() => undefined);
          return;
        }
        redis.disconnect();
        if (!opts.pool) await pool.end();
      })();
      return closing;
    },
  };
}

function lazyThreads(queue: QueueName, cfg: Config): ThreadRunner {
  return {
    run(fn, input, transfer) {
      const spec = THREADS[queue];
      if (!spec) return Promise.reject(new Error(`queue '${queue}' has no thread module`));
      return threadPoolFor(spec, cfg).run(fn, input, transfer);
    },
  };
}

// What a producer process starts for perfect matches: the sweep. `matchflow producer` calls
// startPerfectScheduler.
//
// A BullMQ job scheduler (PERFECT_CRON in CRON_ZONE, upserted by every producer replica: the call is
// idempotent per id) adds one sweep job per tick to a producer-only queue. Only the holder of the
// scheduler lease sweeps; another replica hands the job back, delayed by a third of the lease TTL.
// The sweep enqueues the perfect run of every group whose perfect result lags its last completed
// potential cycle (perfectSweep.ts); a sweep run twice enqueues nothing twice (one job id per cycle).
import { DelayedError, Queue, Worker } from 'bullmq';
import type { Config } from '../shared/config.ts';
import type { Pool } from '../shared/db.ts';
import { logger } from '../shared/logger.ts';
import { bullConnection, openQueue } from '../shared/queue.ts';
import { defaultJobOptions, QUEUE } from '../shared/queues.ts';
import { sweepPerfectRuns } from '../perfect/perfectSweep.ts';
import { startSchedulerLease, type SchedulerLease } from './schedulerLease.ts';

export const SWEEP_QUEUE = 'perfect-schedule';
const SWEEP_JOB = 'sweep-perfect-runs';
const SWEEP_SCHEDULER_ID = 'perfect-sweep';

export interface PerfectScheduler {
  queue: Queue;
  stop(): Promise<void>;
}

export interface PerfectSchedulerOptions {
  /** cron pattern (default PERFECT_CRON; 6 fields, seconds first) */
  pattern?: string;
  /** the producer's scheduler lease, shared with the potential scheduler; default: one of its own */
  lease?: SchedulerLease;
}

export async function startPerfectScheduler(cfg: Config, pool: Pool, opts: PerfectSchedulerOptions = {}): Promise<PerfectScheduler> {
  const own = opts.lease ? undefined : startSchedulerLease(cfg);
  const { lease } = opts.lease ?? own!;
  const connection = bullConnection(cfg);
  const queue = new Queue(SWEEP_QUEUE, { connection, prefix: cfg.queuePrefix, defaultJobOptions: defaultJobOptions(cfg) });
  await queue.upsertJobScheduler(SWEEP_SCHEDULER_ID, { pattern: opts.pattern ?? cfg.perfectCron, tz: cfg.cronZone }, {
    name: SWEEP_JOB,
    opts: { removeOnComplete: { age: cfg.removeOnCompleteAgeSec }, removeOnFail: { age: cfg.removeOnFailAgeSec } },
  });
  const perfect = openQueue(cfg, QUEUE.perfect);
  const worker = new Worker(SWEEP_QUEUE, async (job, token) => {
    if (!lease.isLeader()) {
      await job.moveToDelayed(Date.now() + cfg.leaderLeaseTtlMs / 3, token);
      throw new DelayedError();
    }
    const swept = await sweepPerfectRuns(pool, perfect);
    logger().info({ tick: job.id, epoch: lease.epoch, added: swept.added.length, retried: swept.retried.length, present: swept.present.length },
      'perfect sweep');
    return { epoch: lease.epoch, ...swept };
  }, { connection, prefix: cfg.queuePrefix, concurrency: 1 });
  worker.on('error', (err) => logger().error({ err }, 'perfect sweep worker error'));
  await worker.waitUntilReady();
  return {
    queue,
    async stop() {
      await worker.close();
      await queue.close();
      await perfect.close();
      await own?.stop();
    },
  };
}

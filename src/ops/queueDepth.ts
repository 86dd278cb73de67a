// BullMQ queue depths as the `bullmq_queue_jobs{queue,state}` gauge, read when Prometheus
// scrapes. Every worker process reports the same global counts; aggregate with max by (queue, state).
import type { Queue } from 'bullmq';
import { metrics } from '../shared/metrics.ts';
import { within } from './readiness.ts';

export const QUEUE_DEPTH_STATES = ['waiting', 'prioritized', 'waiting-children', 'active', 'delayed', 'failed'] as const;

/**
 * Sets the gauge from each queue's job counts. A queue whose counts do not come back in time
 * loses its series for this scrape rather than reporting stale numbers.
 */
export async function refreshQueueDepths(queues: Queue[], timeoutMs: number): Promise<void> {
  await Promise.all(queues.map(async (q) => {
    try {
      const counts = await within(timeoutMs, q.getJobCounts(...QUEUE_DEPTH_STATES));
      for (const state of QUEUE_DEPTH_STATES) metrics.queueJobs.set({ queue: q.name, state }, counts[state] ?? 0);
    } catch {
      for (const state of QUEUE_DEPTH_STATES) metrics.queueJobs.remove({ queue: q.name, state });
    }
  }));
}

// How a BullMQ job a command waits for has ended, if it has. A command that watched only its own
// record (an import row, a last run) would wait for ever for a job that failed before touching it,
// that an operator removed, or that a worker on another database ran.
import type { Job } from 'bullmq';

export type JobEnd =
  | { kind: 'completed'; value: unknown }
  | { kind: 'failed'; reason: string }
  | { kind: 'gone' };

/** The end of `job` (as just fetched; undefined: it is no longer in its queue), or null while it may still run. */
export async function jobEnd(job: Job | undefined): Promise<JobEnd | null> {
  if (!job) return { kind: 'gone' };
  const state = await job.getState();
  if (state === 'completed') return { kind: 'completed', value: job.returnvalue };
  if (state === 'failed') return { kind: 'failed', reason: job.failedReason || 'no reason given' };
  if (state === 'unknown') return { kind: 'gone' };
  return null;
}

// Waits for a BullMQ job to finish while drawing its progress (job.updateProgress) as a bar. It
// ends, with the reason, when the job failed or left its queue (removed in Bull Board, say): a
// job that can no longer finish is not waited for.
import type { Config } from '../shared/config.ts';
import { openQueue } from '../shared/queue.ts';
import type { QueueName } from '../shared/queues.ts';
import { jobEnd } from './jobEnd.ts';
import { progressBar } from './progressBar.ts';
import { warnWithoutWorkers } from './warnWithoutWorkers.ts';

const POLL_MS = 250;

function percentOf(progress: unknown): number | null {
  if (typeof progress === 'number') return progress;
  if (progress && typeof progress === 'object' && 'percent' in progress) return Number((progress as { percent: unknown }).percent);
  return null;
}

/** The job's return value once it completed; throws with its failure reason, or when it is gone. */
export async function waitForJob<T = unknown>(cfg: Config, queueName: QueueName, jobId: string, label: string): Promise<T> {
  await warnWithoutWorkers(cfg, queueName);
  const queue = openQueue(cfg, queueName);
  const bar = progressBar(label);
  try {
    for (;;) {
      const job = await queue.getJob(jobId);
      const end = await jobEnd(job);
      if (end?.kind === 'completed') {
        bar.done();
        return end.value as T;
      }
      if (end?.kind === 'failed') throw new Error(end.reason);
      if (end?.kind === 'gone') throw new Error(`job ${jobId} left the '${queueName}' queue before it finished (removed?)`);
      const percent = percentOf(job?.progress);
      if (percent !== null) bar.update(percent);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    await queue.close();
  }
}

// Waits for a BullMQ job to finish while drawing its progress (job.updateProgress) as a bar.
import { QueueEvents, type Job } from 'bullmq';
import type { Config } from '../shared/config.ts';
import { bullConnection } from '../shared/queue.ts';
import type { QueueName } from '../shared/queues.ts';
import { progressBar } from './progressBar.ts';
import { warnWithoutWorkers } from './warnWithoutWorkers.ts';

export async function waitForJob<T = unknown>(cfg: Config, queue: QueueName, job: Job, label: string): Promise<T> {
  await warnWithoutWorkers(cfg, queue);
  const events = new QueueEvents(queue, { connection: bullConnection(cfg), prefix: cfg.queuePrefix });
  const bar = progressBar(label);
  const onProgress = ({ jobId, data }: { jobId: string; data: unknown }) => {
    if (jobId === job.id && typeof data === 'number') bar.update(data);
    else if (jobId === job.id && data && typeof data === 'object' && 'percent' in data) bar.update(Number((data as { percent: number }).percent));
  };
  events.on('progress', onProgress);
  try {
    await events.waitUntilReady();
    const result = (await job.waitUntilFinished(events)) as T;
    bar.done();
    return result;
  } finally {
    events.off('progress', onProgress);
    await events.close();
  }
}

// A command that waits for a job says so when no worker serves the job's queue: the job then sits
// in Bull Board as "waiting", and the command would wait without a word until a worker starts.
import type { Config } from '../shared/config.ts';
import { openQueue } from '../shared/queue.ts';
import type { QueueName } from '../shared/queues.ts';

/** Writes a warning to stderr when no worker is connected to `queue`; returns how many are. */
export async function warnWithoutWorkers(cfg: Config, queue: QueueName): Promise<number> {
  const q = openQueue(cfg, queue);
  try {
    const workers = (await q.getWorkers()).length;
    if (workers === 0) {
      process.stderr.write(`warning: no worker serves the '${queue}' queue; waiting until one starts `
        + `(matchflow worker --queues ${queue}). Ctrl-C stops waiting; the job stays queued.\n`);
    }
    return workers;
  } finally {
    await q.close();
  }
}

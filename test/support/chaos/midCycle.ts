// Waits for the middle of a potential-match cycle: a build-chunk-pair job has completed while
// others of the cycle are still to run, so that a fault injected now hits a cycle in flight.
import { openQueue } from '../../../src/shared/queue.ts';
import { JOB, QUEUE } from '../../../src/shared/queues.ts';
import type { Config } from '../../../src/shared/config.ts';

export async function whenMidCycle(cfg: Config, done: () => boolean, timeoutMs = 120_000): Promise<{ completedBuilds: number; pending: number } | null> {
  const queue = openQueue(cfg, QUEUE.potential);
  const end = Date.now() + timeoutMs;
  try {
    while (!done() && Date.now() < end) {
      const builds = (await queue.getCompleted(0, 200)).filter((j) => j.name === JOB.buildChunkPair).length;
      const counts = await queue.getJobCounts('active', 'waiting', 'waiting-children', 'delayed', 'prioritized');
      const pending = Object.values(counts).reduce((a, b) => a + b, 0);
      if (builds > 0 && pending > 0) return { completedBuilds: builds, pending };
      await new Promise((r) => setTimeout(r, 25));
    }
    return null;
  } finally {
    await queue.close();
  }
}

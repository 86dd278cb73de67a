// Tests wait for states, not for time. `until` polls a check until it holds and fails naming
// what never happened; a negative ("nothing starts") is asserted only once a positive witness
// shows that the thing had its chance (the next tick ran, the queue drained), never after a sleep.
import type { Queue } from 'bullmq';

export interface UntilOptions {
  /** give up after this long (default 30 s) */
  timeoutMs?: number;
  /** poll interval (default 50 ms) */
  everyMs?: number;
}

/** Polls `check` until it returns a truthy value, and returns that value. Errors of `check` propagate. */
export async function until<T>(what: string, check: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  opts: UntilOptions = {}): Promise<T> {
  const { timeoutMs = 30_000, everyMs = 50 } = opts;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** True when the queue holds no job that is yet to run or running (waiting, delayed, active, …). */
export async function queueIsIdle(queue: Queue): Promise<boolean> {
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
  return Object.values(counts).every((n) => n === 0);
}

/**
 * Waits until `n` jobs of `queue` completed that a worker took after `since` (epoch ms): with a
 * job scheduler, proof that `n` more ticks have run.
 */
export async function completedSince(queue: Queue, since: number, n: number, what: string, opts: UntilOptions = {}): Promise<void> {
  await until(what, async () => (await queue.getJobs(['completed'])).filter((j) => (j.processedOn ?? 0) > since).length >= n, opts);
}

// Repeats an acquisition attempt until it succeeds, the wait runs out or the caller aborts.
// The jitter (±50 %) keeps competing processes from polling in lock step.

export interface PollOptions {
  /** how long to keep trying; 0 means one attempt */
  waitMs: number;
  retryMs: number;
  signal?: AbortSignal;
}

/** The first non-null result of `attempt`, or null if the wait ran out or was aborted. */
export async function pollUntil<T>(attempt: () => Promise<T | null>, opts: PollOptions): Promise<T | null> {
  const end = Date.now() + opts.waitMs;
  for (;;) {
    if (opts.signal?.aborted) return null;
    const got = await attempt();
    if (got !== null) return got;
    const remaining = end - Date.now();
    if (remaining <= 0) return null;
    await sleep(Math.min(remaining, opts.retryMs * (0.5 + Math.random())), opts.signal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

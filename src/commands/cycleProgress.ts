// The progress bar of `matchflow run potential --wait`: a cycle is a chain of fetch-page jobs and
// then a flow, so its progress is read from where the cycle records itself — pages stored
// (potential_cycles / potential_cycle_pages), then the build-chunk-pair children the flush job
// still waits for (BullMQ's dependency counts), then flush and finalize.
//   0–10 %  pages fetched and encoded (their number is known only once the chain ends)
//  10–90 %  row pages scored and written
//  90–100 % flush-group, finalize-group
import type { Config } from '../shared/config.ts';
import type { Pool } from '../shared/db.ts';
import { flushJobId, potentialQueue } from '../potential/cycleJobs.ts';
import { cycleStagingProgress } from '../potential/cycleStore.ts';
import type { ProgressBar } from './progressBar.ts';

export interface CycleProgress {
  /** stops following; `done` draws the bar full (the cycle completed) */
  stop(done: boolean): Promise<void>;
}

/** The cycle's progress in percent, with a note on its phase; null before its first page ran. */
export async function cycleProgress(cfg: Config, pool: Pool, cycleId: string): Promise<{ percent: number; note: string } | null> {
  const c = await cycleStagingProgress(pool, cycleId);
  if (!c) return null;
  if (!c.planned) return { percent: Math.min(9, c.stored), note: `${c.stored} pages fetched` };
  const rowPages = (c.newPages ?? 0) > 0 ? (c.newPages ?? 0) + (c.existingPages ?? 0) : 0;
  const flush = await potentialQueue(cfg).getJob(flushJobId(cycleId));
  if (!flush) return { percent: 10, note: 'planned' };
  if (await flush.isCompleted()) return { percent: 95, note: 'finalizing' };
  const deps = await flush.getDependenciesCount({ processed: true, unprocessed: true });
  const done = deps.processed ?? 0;
  const total = rowPages || done + (deps.unprocessed ?? 0);
  if (total > 0 && done >= total) return { percent: 90, note: 'flushing' };
  return { percent: total ? 10 + Math.floor((80 * done) / total) : 10, note: `${done}/${total} row pages scored` };
}

/** Redraws `bar` from the cycle's progress every `pollMs` until stopped. */
export function followCycleProgress(cfg: Config, pool: Pool, cycleId: string, bar: ProgressBar, pollMs = 500): CycleProgress {
  let stopped = false;
  let last = -1;
  const loop = (async () => {
    while (!stopped) {
      const p = await cycleProgress(cfg, pool, cycleId).catch(() => null);
      if (p && !stopped && p.percent !== last) {
        last = p.percent;
        bar.update(p.percent, p.note);
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  })();
  return {
    async stop(done) {
      stopped = true;
      await loop;
      if (done) bar.done();
    },
  };
}

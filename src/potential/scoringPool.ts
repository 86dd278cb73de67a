// The process's threads for scoring (src/potential/scoringTask.ts), created on first use.
import { ThreadPool } from '../workers/threadPool.ts';

let pool: ThreadPool | undefined;

export function scoringPool(threads: number): ThreadPool {
  pool ??= new ThreadPool(new URL('./scoringTask.ts', import.meta.url), threads);
  return pool;
}

export async function closeScoringPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.close();
}

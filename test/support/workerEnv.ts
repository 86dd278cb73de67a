// A test environment (own schema and Redis prefix, see testEnv.ts) with in-process workers: the
// setup and teardown that the pipeline suites share. cleanup() closes the workers, the cycle
// queues and then the environment.
import type { Config } from '../../src/shared/config.ts';
import { closeCycleQueues } from '../../src/potential/cycleJobs.ts';
import { startWorkers, type StartWorkersOptions, type WorkerPool } from '../../src/workers/runtime.ts';
import { createTestEnv, type TestEnv } from './testEnv.ts';

export interface WorkerEnv extends TestEnv {
  /** the workers started first (undefined until some are) */
  workers: WorkerPool | undefined;
  /** starts workers on this environment's schema and queues */
  startWorkers(opts: StartWorkersOptions): Promise<WorkerPool>;
}

export interface WorkerEnvOptions {
  overrides?: Partial<Config>;
  /** workers to start at once; none when absent */
  workers?: StartWorkersOptions;
  /** how long cleanup() lets running jobs finish (default SHUTDOWN_TIMEOUT_MS) */
  closeMs?: number;
}

export async function createWorkerEnv(tag: string, opts: WorkerEnvOptions = {}): Promise<WorkerEnv> {
  const t = await createTestEnv(tag, { overrides: opts.overrides });
  const pools: WorkerPool[] = [];
  const env: WorkerEnv = {
    ...t,
    workers: undefined,
    async startWorkers(w) {
      const pool = await startWorkers(t.cfg, w);
      pools.push(pool);
      env.workers ??= pool;
      return pool;
    },
    async cleanup() {
      for (const p of pools.splice(0)) await p.close(opts.closeMs);
      await closeCycleQueues();
      await t.cleanup();
    },
  };
  if (opts.workers) await env.startWorkers(opts.workers);
  return env;
}

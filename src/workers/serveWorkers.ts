// A worker process from start to exit: BullMQ workers for its queues, the probe server
// (/metrics, /healthz, /readyz), and a graceful shutdown on SIGTERM within SHUTDOWN_TIMEOUT_MS.
import type { Config } from '../shared/config.ts';
import { logger } from '../shared/logger.ts';
import { untilShutdown, type ShutdownOutcome } from '../shared/shutdown.ts';
import { startProbeServer, type ProbeServer } from '../ops/probeServer.ts';
import { startWorkers, type StartWorkersOptions, type WorkerPool } from './runtime.ts';

/**
 * Share of the shutdown deadline kept back from the graceful wait for running jobs: force-closing
 * the workers and closing the connections after it must still fit before the deadline.
 */
const CLOSING_RESERVE = 0.2;

export interface ServeWorkersOptions extends StartWorkersOptions {
  /** overrides cfg.metricsPort (0: any free port) */
  metricsPort?: number;
  /** called once workers and probe server are up */
  onStarted?: (started: { workers: WorkerPool; probes: ProbeServer }) => void;
}

/** Runs until SIGTERM or SIGINT has been handled; resolves with how the shutdown went. */
export async function serveWorkers(cfg: Config, opts: ServeWorkersOptions): Promise<ShutdownOutcome> {
  const workers = await startWorkers(cfg, opts);
  const probes = await startProbeServer(cfg, { queues: opts.queues, port: opts.metricsPort }).catch(async (err) => {
    await workers.close();
    throw err;
  });
  // Signals are handled from here on, before anyone is told that the process is up.
  const stopped = untilShutdown([
    { name: 'finish running jobs', run: (ms) => { probes.drain(); return workers.close(ms * (1 - CLOSING_RESERVE)); } },
    { name: 'close the probe server', run: () => probes.close() },
  ], { deadlineMs: cfg.shutdownTimeoutMs });
  logger().info({ queues: opts.queues, concurrency: opts.concurrency ?? cfg.workerConcurrency, metricsPort: probes.port }, 'workers started');
  opts.onStarted?.({ workers, probes });
  return stopped;
}

import { parseArgs } from 'node:util';
import { config } from '../shared/config.ts';
import { checkServices } from './preflight.ts';
import { QUEUE, type QueueName } from '../shared/queues.ts';
import { serveWorkers } from '../workers/serveWorkers.ts';
import { EXIT, UsageError, type Command } from './command.ts';

const ALL = Object.values(QUEUE) as QueueName[];

export const workerCommand: Command = {
  name: 'worker',
  help: `Usage: matchflow worker [--queues import,potential,perfect] [--concurrency N]

Starts one BullMQ worker per queue in this process. Scale by running more processes (replicas).
Serves on METRICS_PORT: /metrics (Prometheus: job metrics, queue depths, process metrics),
/healthz (the process answers) and /readyz (PostgreSQL and Redis answer; 503 while stopping).
On SIGTERM or SIGINT it stops taking jobs, lets running jobs finish within SHUTDOWN_TIMEOUT_MS
(jobs still running then are abandoned and retried elsewhere as stalled), closes its
connections and exits; a second signal stops waiting.

Options:
  --queues Q1,Q2   queues to serve (default: all: ${ALL.join(',')})
  --concurrency N  jobs at once per queue (default WORKER_CONCURRENCY)
Exit codes: 0 stopped cleanly by a signal, 1 shutdown cut short by the deadline or a second
signal, 2 bad option or configuration, 3 PostgreSQL or Redis unreachable.`,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { queues: { type: 'string' }, concurrency: { type: 'string' } } });
    const queues = values.queues ? values.queues.split(',').map((q) => q.trim()) : ALL;
    for (const q of queues) if (!ALL.includes(q as QueueName)) throw new UsageError(`unknown queue '${q}' (known: ${ALL.join(', ')})`);
    const concurrency = values.concurrency ? Number(values.concurrency) : undefined;
    if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0)) throw new UsageError('--concurrency must be a positive integer');
    const cfg = config();
    if (!(await checkServices(cfg))) return EXIT.unavailable;
    const outcome = await serveWorkers(cfg, { queues: queues as QueueName[], concurrency });
    return outcome.clean ? EXIT.ok : EXIT.failed;
  },
};

import { parseArgs } from 'node:util';
import { config } from '../shared/config.ts';
import { createPool } from '../shared/db.ts';
import { logger } from '../shared/logger.ts';
import { checkServices } from './preflight.ts';
import { untilShutdown } from '../shared/shutdown.ts';
import { startProbeServer } from '../ops/probeServer.ts';
import { startImportTriggers } from '../producers/importTriggers.ts';
import { startPerfectScheduler } from '../producers/perfectScheduler.ts';
import { startPotentialScheduler } from '../producers/potentialScheduler.ts';
import { startSchedulerLease } from '../producers/schedulerLease.ts';
import { EXIT, type Command } from './command.ts';

export const producerCommand: Command = {
  name: 'producer',
  help: `Usage: matchflow producer [--no-scheduler] [--no-api]

Runs what puts work on the queues:
  - the potential-match scheduler: a BullMQ job scheduler on POTENTIAL_CRON (CRON_ZONE); however
    many producers run, only the holder of the Redis leader lease plans a tick's cycles;
  - the perfect-match sweep on PERFECT_CRON, under the same lease: every group whose perfect result
    is missing, FAILED or older than its last completed potential cycle gets that cycle's run;
  - the enqueue API on API_PORT (POST /v1/imports, GET /v1/imports/:id; bearer tokens API_TOKENS);
  - the Kafka consumer of import requests, when KAFKA_BROKERS is set;
  - /metrics, /healthz and /readyz on METRICS_PORT.
SIGTERM stops them within SHUTDOWN_TIMEOUT_MS. Run several replicas for availability.

Options:
  --no-scheduler   do not plan potential-match cycles nor sweep perfect runs
  --no-api         no enqueue API and no Kafka consumer
Exit codes: 0 stopped cleanly by a signal, 1 shutdown cut short by the deadline, 2 bad option or
configuration, 3 PostgreSQL or Redis unreachable.`,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { 'no-scheduler': { type: 'boolean', default: false }, 'no-api': { type: 'boolean', default: false } },
    });
    const cfg = config();
    if (!(await checkServices(cfg))) return EXIT.unavailable;
    const pool = createPool(cfg);
    const lease = values['no-scheduler'] ? null : startSchedulerLease(cfg);
    const scheduler = lease && await startPotentialScheduler(cfg, pool, { lease });
    const sweep = lease && await startPerfectScheduler(cfg, pool, { lease });
    const triggers = values['no-api'] ? null : await startImportTriggers(cfg, { pool });
    const probes = await startProbeServer(cfg);
    logger().info(
      { scheduler: !!scheduler, apiPort: triggers?.api ? cfg.apiPort : null, kafka: !!triggers?.consumer, metricsPort: probes.port },
      'producer started',
    );
    const outcome = await untilShutdown([
      { name: 'stop taking requests', run: async () => { probes.drain(); await triggers?.close(); } },
      { name: 'stop the schedulers', run: async () => { await scheduler?.stop(); await sweep?.stop(); await lease?.stop(); } },
      { name: 'close the probe server', run: () => probes.close() },
      { name: 'close the database pool', run: () => pool.end() },
    ], { deadlineMs: cfg.shutdownTimeoutMs });
    return outcome.clean ? EXIT.ok : EXIT.failed;
  },
};

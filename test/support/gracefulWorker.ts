// A worker process for test/integration/workers/gracefulShutdown.test.ts: the real serveWorkers
// (workers + probe server + SIGTERM handling) with a perfect-queue processor that takes JOB_MS
// (stopping early when its signal says the job was handed back) and logs secrets that must come
// out redacted. Events go to stdout as JSON lines, logs to stderr.
import { setTimeout as sleep } from 'node:timers/promises';
import { config } from '../../src/shared/config.ts';
import { QUEUE } from '../../src/shared/queues.ts';
import { serveWorkers } from '../../src/workers/serveWorkers.ts';

const say = (event: string, fields: Record<string, unknown> = {}) => process.stdout.write(`${JSON.stringify({ event, at: Date.now(), ...fields })}\n`);
setTimeout(() => process.exit(3), 60_000).unref();

const cfg = config();
const jobMs = Number(process.env.JOB_MS ?? 1000);
const outcome = await serveWorkers(cfg, {
  queues: [QUEUE.perfect],
  metricsPort: 0,
  processors: {
    perfect: {
      'perfect-match-group': async (job, deps) => {
        say('job-start', { id: job.id });
        deps.log.info({ password: 'pwSEKRIT1', cfg: { databaseUrl: 'postgres://app:SEKRIT2@db/x' } }, 'connecting to redis://:SEKRIT3@cache:6379');
        try {
          await sleep(jobMs, undefined, { signal: deps.signal });
        } catch (err) {
          say('job-aborted', { id: job.id, reason: String(deps.signal?.reason ?? err) });
          throw err;
        }
        say('job-end', { id: job.id });
        return { ok: true };
      },
    },
  },
  onStarted: ({ probes }) => say('started', { port: probes.port }),
});
say('stopped', { clean: outcome.clean });
process.exitCode = outcome.clean ? 0 : 1;
setTimeout(() => process.exit(), 200).unref();

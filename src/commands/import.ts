import { relative, resolve } from 'node:path';
import { realpath } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Queue } from 'bullmq';
import { config, type Config } from '../shared/config.ts';
import { createPool, type Pool } from '../shared/db.ts';
import { checkServices } from './preflight.ts';
import { openQueue } from '../shared/queue.ts';
import { JOB, QUEUE, type ImportSource } from '../shared/queues.ts';
import { enqueueImport } from '../import/enqueueImport.ts';
import { ImportInputError } from '../import/errors.ts';
import { getImportJob, type ImportJobRow } from '../import/importJobs.ts';
import { confinedPath } from '../import/localPath.ts';
import { isObjectUrl } from '../import/s3Object.ts';
import type { ImportProgress } from '../import/runImport.ts';
import { CommandFailure, EXIT, UsageError, type Command } from './command.ts';
import { jobEnd, type JobEnd } from './jobEnd.ts';
import { warnWithoutWorkers } from './warnWithoutWorkers.ts';
import { progressWriter } from './importProgress.ts';

const POLL_MS = 250;

/**
 * A local file becomes a path relative to IMPORT_ROOT, so that workers whose root is mounted
 * elsewhere find it; it must exist under the root (checked here, and again by the worker).
 */
async function sourceOf(cfg: Config, arg: string): Promise<ImportSource> {
  if (isObjectUrl(arg)) return { kind: 's3', url: arg };
  const real = await confinedPath(cfg.importRoot, resolve(process.cwd(), arg));
  return { kind: 'file', path: relative(await realpath(resolve(cfg.importRoot)), real) };
}

const isFinal = (job: ImportJobRow) => job.status === 'COMPLETED' || job.status === 'FAILED';

function jobEndedEarly(id: string, end: JobEnd, row: ImportJobRow): string {
  const job = `import ${id}: its ${JOB.importFile} job`;
  if (end.kind === 'failed') return `${job} failed: ${end.reason}`;
  if (end.kind === 'gone') return `${job} left the queue before it finished (removed?); the import stays ${row.status}`;
  return `${job} completed but the import is still ${row.status}: does the worker use another database or DB_SCHEMA?`;
}

/**
 * Follows the import row to COMPLETED or FAILED, and its import-file job too: a job that failed
 * without touching the row, left the queue, or ran on a worker of another database would
 * otherwise be waited for without end.
 */
async function waitForImport(cfg: Config, pool: Pool, queue: Queue, id: string, timeoutSec: number): Promise<ImportJobRow> {
  await warnWithoutWorkers(cfg, QUEUE.import);
  const bar = progressWriter();
  const started = Date.now();
  try {
    for (;;) {
      const row = (await getImportJob(pool, id))!;
      if (isFinal(row)) {
        bar.update({ percent: 100, rows: row.totalNodes, rowsPerSecond: row.totalNodes / Math.max(0.001, (Date.now() - started) / 1000), label: row.status });
        return row;
      }
      const job = await queue.getJob(id);
      const end = await jobEnd(job);
      if (end) {
        // the worker writes the row before its job ends: read it again before blaming the job
        const now = (await getImportJob(pool, id))!;
        if (isFinal(now)) continue;
        throw new CommandFailure(jobEndedEarly(id, end, now));
      }
      const progress = job?.progress as Partial<ImportProgress> | undefined;
      const rows = progress?.rowsRead ?? row.totalNodes;
      const elapsed = (Date.now() - (row.startedAt?.getTime() ?? Date.now())) / 1000;
      bar.update({ percent: progress?.percent ?? 0, rows, rowsPerSecond: elapsed > 0 ? rows / elapsed : 0, label: row.status });
      if (timeoutSec > 0 && Date.now() - started > timeoutSec * 1000) {
        throw new CommandFailure(`import ${id} still ${row.status} after ${timeoutSec} s (it goes on in the background)`);
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    bar.done();
  }
}

export const importCommand: Command = {
  name: 'import',
  help: `Usage: matchflow import FILE|s3://bucket/key|http://host:port/bucket/key --domain D --group G
                        [--type T] [--wait] [--timeout SEC] [--request-key K]

Enqueues an import-file job for the CSV (gzip or plain; reference_id required, type optional,
every other column becomes metadata). A local FILE must be under IMPORT_ROOT. Domain and group
may be names or UUIDs; they are created when missing. Prints the import id on stdout.

Options:
  --domain D        domain name or id (required)
  --group G         group name or id (required)
  --type T          node type of rows without a type column or value
  --wait            show progress on stderr until the import ends; exit 1 if it FAILED, or if its
                    import-file job failed or left the queue without finishing it
  --timeout SEC     with --wait, give up waiting after SEC seconds (exit 1; the import goes on)
  --request-key K   idempotency key: the same key never enqueues a second import
Exit codes: 0 enqueued (or COMPLETED with --wait), 1 FAILED or refused, 2 usage error,
3 PostgreSQL or Redis unreachable.`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        domain: { type: 'string' }, group: { type: 'string' }, type: { type: 'string' },
        wait: { type: 'boolean', default: false }, timeout: { type: 'string', default: '0' }, 'request-key': { type: 'string' },
      },
    });
    if (positionals.length !== 1) throw new UsageError('give exactly one FILE or object URL');
    if (!values.domain || !values.group) throw new UsageError('--domain and --group are required');
    const timeoutSec = Number(values.timeout);
    if (!(timeoutSec >= 0)) throw new UsageError('--timeout must be a number of seconds');
    const cfg = config();
    if (!(await checkServices(cfg))) return EXIT.unavailable;
    const pool = createPool(cfg, { max: 2 });
    const queue = openQueue(cfg, QUEUE.import);
    try {
      let enqueued;
      try {
        const source = await sourceOf(cfg, positionals[0]);
        enqueued = await enqueueImport({ cfg, pool, queue }, {
          domain: values.domain, group: values.group, source, type: values.type,
          fileName: positionals[0].split('/').pop(), requestKey: values['request-key'] ? `cli:${values['request-key']}` : undefined,
        });
      } catch (err) {
        if (!(err instanceof ImportInputError)) throw err;
        process.stderr.write(`matchflow import: ${err.message}\n`);
        return EXIT.failed;
      }
      process.stdout.write(`${enqueued.importJobId}\n`);
      if (!values.wait) return EXIT.ok;
      const job = await waitForImport(cfg, pool, queue, enqueued.importJobId, timeoutSec);
      const secs = job.startedAt && job.finishedAt ? ((job.finishedAt.getTime() - job.startedAt.getTime()) / 1000).toFixed(1) : '?';
      process.stderr.write(`${job.status}: ${job.totalNodes} rows read, ${job.processedNodes} nodes written, ${job.failedNodes} rejected, ` +
        `${job.duplicateNodes} duplicates, ${secs} s${job.failureReason ? `\nreason: ${job.failureReason}` : ''}\n`);
      return job.status === 'COMPLETED' ? EXIT.ok : EXIT.failed;
    } finally {
      await queue.close();
      await pool.end();
    }
  },
};

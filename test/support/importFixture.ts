// An import test bench on the real servers: a fresh schema and Redis prefix, a private import
// root, the `import` queue, and a BullMQ worker running the import-file processor in-process.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Queue } from 'bullmq';
import type { Config } from '../../src/shared/config.ts';
import { openQueue } from '../../src/shared/queue.ts';
import { QUEUE } from '../../src/shared/queues.ts';
import type { OutgoingMessage, Publish } from '../../src/shared/kafka.ts';
import { startWorkers, type WorkerPool } from '../../src/workers/runtime.ts';
import { processImportFile } from '../../src/import/importFile.ts';
import { enqueueImport, type Enqueued } from '../../src/import/enqueueImport.ts';
import { getImportJob, type ImportJobRow } from '../../src/import/importJobs.ts';
import type { ImportRequest } from '../../src/import/nodeExchange.ts';
import { createTestEnv, type TestEnv } from './testEnv.ts';

export interface Published {
  topic: string;
  message: OutgoingMessage;
}

export interface ImportFixture {
  t: TestEnv;
  cfg: Config;
  root: string;
  queue: Queue;
  workers: WorkerPool | null;
  published: Published[];
  publish: Publish;
  /** writes a file under the import root (text is gzipped when the name ends in .gz) and returns its name */
  file(name: string, content: string | Buffer): Promise<string>;
  enqueue(req: Partial<ImportRequest> & Pick<ImportRequest, 'source'>): Promise<Enqueued>;
  /** enqueues and waits until the import job is COMPLETED or FAILED and BullMQ is done with it */
  run(req: Partial<ImportRequest> & Pick<ImportRequest, 'source'>): Promise<ImportJobRow>;
  wait(importJobId: string, timeoutMs?: number): Promise<ImportJobRow>;
  startWorker(): Promise<void>;
  close(): Promise<void>;
}

export async function createImportFixture(tag: string, overrides: Partial<Config> = {}, opts: { worker?: boolean } = {}): Promise<ImportFixture> {
  const root = await mkdtemp(join(tmpdir(), `mf-import-${tag}-`));
  const t = await createTestEnv(tag, { overrides: { importRoot: root, retryDelayMs: 50, ...overrides } });
  const cfg = t.cfg;
  const queue = openQueue(cfg, QUEUE.import);
  const published: Published[] = [];
  const publish: Publish = async (topic, messages) => {
    for (const message of messages) published.push({ topic, message });
  };
  const fx: ImportFixture = {
    t, cfg, root, queue, workers: null, published, publish,
    async file(name, content) {
      const data = name.endsWith('.gz') && typeof content === 'string' ? gzipSync(content) : content;
      await writeFile(join(root, name), data);
      return name;
    },
    enqueue(req) {
      return enqueueImport({ cfg, pool: t.pool, queue }, { domain: 'test-domain', group: 'test-group', ...req });
    },
    async run(req) {
      const e = await fx.enqueue(req);
      return fx.wait(e.importJobId);
    },
    async wait(importJobId, timeoutMs = 120000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const row = await getImportJob(t.pool, importJobId);
        const job = await queue.getJob(importJobId);
        const state = job ? await job.getState() : 'unknown';
        if (row && (row.status === 'COMPLETED' || row.status === 'FAILED') && ['completed', 'failed', 'unknown'].includes(state)) return row;
        if (Date.now() > deadline) throw new Error(`import ${importJobId} not finished after ${timeoutMs} ms: ${row?.status}, BullMQ ${state}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async startWorker() {
      fx.workers = await startWorkers(cfg, {
        queues: [QUEUE.import],
        pool: t.pool,
        processors: { import: { 'import-file': (job, deps) => processImportFile(job, deps, publish) } },
      });
    },
    async close() {
      await fx.workers?.close(5000);
      await queue.close();
      await t.cleanup();
      await rm(root, { recursive: true, force: true });
    },
  };
  if (opts.worker !== false) await fx.startWorker();
  return fx;
}

export interface NodeRow {
  reference_id: string;
  type: string | null;
  metadata: Record<string, string>;
  processed: boolean;
}

/** The nodes of the fixture's group, ordered by reference id. */
export async function nodesOf(fx: ImportFixture, groupId: string): Promise<NodeRow[]> {
  const { rows } = await fx.t.pool.query<NodeRow>(
    'SELECT reference_id, type, metadata, processed FROM nodes WHERE group_id = $1 ORDER BY reference_id', [groupId]);
  return rows;
}

export async function failedRowsOf(fx: ImportFixture, jobId: string): Promise<Array<{ row_number: number; reference_id: string | null; reason: string }>> {
  const { rows } = await fx.t.pool.query(
    'SELECT row_number::int, reference_id, reason FROM nodes_import_failed_row WHERE job_id = $1 ORDER BY row_number', [jobId]);
  return rows;
}

// The demo's import stage: each group's synthetic people are written as a gzip CSV under the
// demo's work directory (inside IMPORT_ROOT) and imported by import-file jobs on a BullMQ worker
// running in this process, the same path as `matchflow import`.
import { createWriteStream } from 'node:fs';
import { relative, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { openQueue } from '../../shared/queue.ts';
import { QUEUE } from '../../shared/queues.ts';
import { enqueueImport } from '../../import/enqueueImport.ts';
import { getImportJob, type ImportJobRow } from '../../import/importJobs.ts';
import { startWorkers } from '../../workers/runtime.ts';
import type { SyntheticNode } from '../../synthetic/people.ts';
import type { DemoStage } from './stage.ts';
import { peopleCsv } from '../../synthetic/peopleCsv.ts';

const POLL_MS = 100;

async function writeCsv(path: string, nodes: Iterable<SyntheticNode>): Promise<void> {
  await pipeline(Readable.from(peopleCsv(nodes)), createGzip(), createWriteStream(path));
}

async function finished(ctx: Parameters<DemoStage['run']>[0], id: string): Promise<ImportJobRow> {
  for (;;) {
    const job = (await getImportJob(ctx.pool, id))!;
    if (job.status === 'COMPLETED' || job.status === 'FAILED') return job;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

export const importNodes: DemoStage = {
  name: 'import nodes (CSV → import-file jobs)',
  async run(ctx) {
    const queue = openQueue(ctx.cfg, QUEUE.import);
    const workers = await startWorkers(ctx.cfg, { queues: [QUEUE.import], pool: ctx.pool });
    try {
      const started = new Map<string, number>();
      const ids: Array<[string, string]> = [];
      for (const { group, nodes } of ctx.domain.groups) {
        const file = resolve(ctx.workDir, `${group.name}.csv.gz`);
        const t0 = Date.now();
        await writeCsv(file, nodes());
        const e = await enqueueImport({ cfg: ctx.cfg, pool: ctx.pool, queue }, {
          domain: group.domainId, group: group.id, source: { kind: 'file', path: relative(resolve(ctx.cfg.importRoot), file) },
          fileName: `${group.name}.csv.gz`,
        });
        started.set(group.id, t0);
        ids.push([group.id, e.importJobId]);
      }
      for (const [groupId, id] of ids) {
        const job = await finished(ctx, id);
        if (job.status !== 'COMPLETED') throw new Error(`import of group ${groupId} ${job.status}: ${job.failureReason}`);
        const t = ctx.timings.get(groupId) ?? {};
        t.import = (Date.now() - started.get(groupId)!) / 1000;
        ctx.timings.set(groupId, t);
      }
    } finally {
      await workers.close();
      await queue.close();
    }
  },
};

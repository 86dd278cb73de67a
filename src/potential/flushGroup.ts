// flush-group: runs once every build-chunk-pair job of the cycle has written its row page (the
// pages are written by the build jobs themselves, in parallel: pageMatches.ts). What is left for
// the group as a whole: a FULL run deletes the rows of nodes that are no longer in the group, and
// the group's row count is taken for the last-run marker. Fenced with the cycle's group-lock token.
import { withTransaction, type PoolClient } from '../shared/db.ts';
import { metrics } from '../shared/metrics.ts';
import type { Processor } from '../shared/processor.ts';
import { assertCycleCurrent, assertStagingWhole, runCycleJob } from './cycleJob.ts';
import { deleteDepartedMatches, type CycleRow } from './cycleStore.ts';

export interface FlushResult {
  departed: number;
  /** potential_matches rows of the group after the cycle */
  rows: number;
  /** what the build jobs report, summed, for the cycle's quality record (cycleQuality.ts) */
  build?: BuildTotals;
  /** when this job started and ended (epoch ms) */
  startedAt?: number;
  finishedAt?: number;
}

export interface BuildTotals {
  /** directed pairs scored */
  pairs: number;
  /** potential_matches rows written */
  written: number;
  /** the first build job's start and the last one's end (epoch ms) */
  startedAt: number | null;
  finishedAt: number | null;
}

type BuildResult = { edges?: unknown; pairs?: unknown; written?: unknown; startedAt?: unknown; finishedAt?: unknown } | null;

function buildTotals(results: BuildResult[]): BuildTotals {
  const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
  const starts = results.map((r) => num(r?.startedAt)).filter((x): x is number => x !== null);
  const ends = results.map((r) => num(r?.finishedAt)).filter((x): x is number => x !== null);
  return {
    pairs: results.reduce((n, r) => n + (num(r?.pairs) ?? 0), 0),
    written: results.reduce((n, r) => n + (num(r?.written) ?? 0), 0),
    startedAt: starts.length ? Math.min(...starts) : null,
    finishedAt: ends.length ? Math.max(...ends) : null,
  };
}

export const flushGroup: Processor<'flush-group'> = (job, deps) => runCycleJob(job, deps, async (cycle): Promise<FlushResult> => {
  const t0 = process.hrtime.bigint();
  const startedAt = Date.now();
  const children = Object.values(await job.getChildrenValues()) as BuildResult[];
  // Each build job returns the rows its page holds now (a page's write replaces that page's rows).
  const written = children.map((v) => v?.edges);
  // Every node of the group is on one row page (all pages of a full run; N and E pages of an
  // incremental one), and each page reports its nodes' rows: their sum is the group's rows.
  const pages = (cycle.newPages ?? 0) + (cycle.mode === 'INCREMENTAL' ? cycle.existingPages ?? 0 : 0);
  const summed = written.length === pages && written.every((n) => typeof n === 'number') ? (written as number[]).reduce((a, b) => a + b, 0) : null;
  const out = await withTransaction(deps.pool, async (c) => {
    await assertCycleCurrent(c, cycle);
    let departed = 0;
    if (cycle.mode === 'FULL') {
      await assertStagingWhole(c, cycle);
      departed = await deleteDepartedMatches(c, cycle);
    }
    return { departed, rows: summed ?? await countRows(c, cycle), build: buildTotals(children), startedAt };
  });
  metrics.storageProcessorBatchDuration.observe({ table: 'potential_matches', groupId: cycle.groupId }, Number(process.hrtime.bigint() - t0) / 1e9);
  return { ...out, finishedAt: Date.now() };
});

async function countRows(c: PoolClient, cycle: CycleRow): Promise<number> {
  const { rows } = await c.query('SELECT count(*)::bigint AS n FROM potential_matches WHERE group_id = $1', [cycle.groupId]);
  return Number(rows[0].n);
}

// The incremental case of `npm run bench -- potential`: a 50,000-node group, then 5 % of its nodes
// change (new metadata, as an import that edits people leaves them) and 2 % are new. The
// incremental cycle and a full recompute of the same data run on the same 2 worker processes, one
// after the other; the bench checks that both leave the same potential_matches, row for row.
import { closeCycleQueues, potentialQueue } from '../src/potential/cycleJobs.ts';
import { startCycle, waitForCycle } from '../src/potential/startCycle.ts';
import type { GroupRow } from '../src/groups/catalog.ts';
import type { Pool } from '../src/shared/db.ts';
import { syntheticPeople } from '../src/synthetic/people.ts';
import { insertNodes } from '../test/support/potentialFixture.ts';
import { createTestEnv, type TestEnv } from '../test/support/testEnv.ts';
import { printTable, type Row } from './_table.ts';
import { fullCycle, groupOf, phases, phaseText, startWorkerProcesses, stopWorkerProcesses } from './_potentialCycle.ts';

const NODES = Number(process.env.BENCH_INCREMENTAL_NODES ?? 50_000);

/** A digest of the group's rows (reference, neighbour, score), in key order. */
async function rowsDigest(pool: Pool, groupId: string): Promise<{ rows: number; md5: string }> {
  const { rows } = await pool.query(
    `SELECT count(*)::int AS rows, md5(string_agg(reference_id || '>' || matched_reference_id || '=' || compatibility_score::text, ','
       ORDER BY reference_id COLLATE "C", matched_reference_id COLLATE "C")) AS md5
     FROM potential_matches WHERE group_id = $1`, [groupId]);
  return rows[0];
}

interface TimedCycle {
  seconds: number;
  rescored: number;
  rows: number;
  phases: Record<string, number>;
  /** build jobs' steps, summed over the cycle (ms) */
  buildMs: Record<string, number>;
}

async function timedCycle(env: TestEnv, group: GroupRow, incremental: boolean): Promise<TimedCycle> {
  const t0 = Date.now();
  const cycleId = await startCycle(env.cfg, group, { incremental });
  const out = await waitForCycle(env.cfg, env.pool, group.id, cycleId, 100);
  if (out.status !== 'COMPLETED') throw new Error(`cycle ${out.status}: ${JSON.stringify(out)}`);
  const seconds = (Date.now() - t0) / 1000;
  const jobs = (await potentialQueue(env.cfg).getJobs(['completed'], 0, -1)).filter((j) => (j.data as { cycleId?: string }).cycleId === cycleId);
  const builds = jobs.filter((j) => j.name === 'build-chunk-pair').map((j) => j.returnvalue as { rescored?: number; ms: Record<string, number> });
  const rescored = builds.reduce((n, b) => n + (b.rescored ?? 0), 0);
  const buildMs: Record<string, number> = {};
  for (const b of builds) for (const [k, v] of Object.entries(b.ms)) buildMs[k] = (buildMs[k] ?? 0) + v;
  return { seconds, rescored, rows: out.lastRun.edgeCount ?? 0, phases: phases(jobs), buildMs };
}

export async function incrementalBench(): Promise<void> {
  const env = await createTestEnv('benchinc');
  const procs = await startWorkerProcesses(env, 2, env.cfg.workerConcurrency);
  try {
    const people = [...syntheticPeople({ count: NODES, seed: 8, prefix: 'c' })];
    const group = await groupOf(env, 'incremental', people, 'metadata');
    const first = Date.now();
    await fullCycle(env, group);
    const firstSeconds = (Date.now() - first) / 1000;
    // 5 % change: every 20th person takes another synthetic person's metadata
    const other = [...syntheticPeople({ count: NODES / 20, seed: 88, prefix: 'x' })];
    const changed = people.filter((_, i) => i % 20 === 10);
    await env.pool.query(
      `UPDATE nodes n SET metadata = c.metadata::jsonb, processed = false, updated_at = now()
       FROM unnest($2::text[], $3::text[]) AS c(ref, metadata) WHERE n.group_id = $1 AND n.reference_id = c.ref`,
      [group.id, changed.map((n) => n.referenceId), changed.map((_, i) => JSON.stringify(other[i].metadata))]);
    // 2 % new
    await insertNodes(env.pool, group, syntheticPeople({ count: NODES / 50, seed: 89, prefix: 'n' }));
    await env.pool.query('ANALYZE nodes');
    await env.pool.query('CHECKPOINT').catch(() => undefined);
    const inc = await timedCycle(env, group, true);
    const incRows = await rowsDigest(env.pool, group.id);
    await env.pool.query('CHECKPOINT').catch(() => undefined);
    const full = await timedCycle(env, group, false);
    const fullRows = await rowsDigest(env.pool, group.id);
    const equal = incRows.md5 === fullRows.md5 && incRows.rows === fullRows.rows;
    const eNodes = NODES - changed.length;
    const rows: Row[] = [
      { measure: `incremental: ${NODES.toLocaleString('en')} nodes, LSH, first full cycle, wall s`, value: firstSeconds.toFixed(1) },
      { measure: `  then ${changed.length.toLocaleString('en')} changed (5 %) + ${(NODES / 50).toLocaleString('en')} new (2 %): incremental cycle, wall s`, value: inc.seconds.toFixed(1) },
      { measure: '  full recompute of the same nodes (anchor), wall s', value: full.seconds.toFixed(1) },
      { measure: '  incremental / full', value: (inc.seconds / full.seconds).toFixed(2), target: 'target ≤ 0.30' },
      ...[['incremental', inc], ['full', full]].flatMap(([name, c]) => {
        const t = c as TimedCycle;
        const steps = Object.entries(t.buildMs).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`).join(', ');
        return [{ measure: `  ${name as string}: phases (first start → last finish, s)`, value: '', target: phaseText(t.phases) },
          { measure: `  ${name as string}: build jobs' steps summed (s)`, value: '', target: steps }];
      }),
      { measure: '  unchanged nodes scored against every node (the merge could not settle them)', value: `${inc.rescored.toLocaleString('en')} of ${eNodes.toLocaleString('en')}` },
      { measure: '  potential_matches equal, row for row and score for score', value: equal ? 'yes' : 'NO', target: `${fullRows.rows.toLocaleString('en')} rows compared` },
    ];
    printTable(rows);
    if (!equal) throw new Error(`the incremental cycle left other rows than the full recompute (${incRows.rows} against ${fullRows.rows})`);
  } finally {
    await stopWorkerProcesses(procs);
    await closeCycleQueues();
    await env.cleanup();
  }
}

// The incremental case of `npm run bench -- potential`: a 50,000-node group, then 5 % of its nodes
// change (new metadata, as an import that edits people leaves them) and 2 % are new. The
// incremental cycle and a full recompute of the same data run on the same 2 worker processes, one
// after the other; the bench checks that both leave the same potential_matches, row for row.
import { closeCycleQueues, potentialQueue } from '../src/potential/cycleJobs.ts';
import { startCycle, waitForCycle } from '../src/potential/startCycle.ts';
import type { GroupRow } from '../src/groups/catalog.ts';
import type { Pool } from '../src/shared/db.ts';
import { syntheticPeople, type SyntheticNode } from '../src/synthetic/people.ts';
import { insertNodes } from '../test/support/potentialFixture.ts';
import { createTestEnv, type TestEnv } from '../test/support/testEnv.ts';
import { printTable, type Row } from './_table.ts';
import { fullCycle, groupOf, machineBusySeconds, phases, phaseText, startWorkerProcesses, stopWorkerProcesses } from './_potentialCycle.ts';

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

/** A round: 5 % of the nodes change and 2 % are new, then an incremental cycle and a full recompute. */
async function round(env: TestEnv, group: GroupRow, people: SyntheticNode[], r: number) {
  const changed = people.filter((_, i) => i % 20 === 10 + r);
  const other = [...syntheticPeople({ count: changed.length, seed: 88 + r, prefix: 'x' })];
  await env.pool.query(
    `UPDATE nodes n SET metadata = c.metadata::jsonb, processed = false, updated_at = now()
     FROM unnest($2::text[], $3::text[]) AS c(ref, metadata) WHERE n.group_id = $1 AND n.reference_id = c.ref`,
    [group.id, changed.map((n) => n.referenceId), changed.map((_, i) => JSON.stringify(other[i].metadata))]);
  await insertNodes(env.pool, group, syntheticPeople({ count: NODES / 50, seed: 89 + r, prefix: `n${r}` }));
  await env.pool.query('ANALYZE nodes');
  await env.pool.query('CHECKPOINT').catch(() => undefined);
  const b0 = machineBusySeconds();
  const inc = await timedCycle(env, group, true);
  const b1 = machineBusySeconds();
  const incRows = await rowsDigest(env.pool, group.id);
  await env.pool.query('CHECKPOINT').catch(() => undefined);
  const b2 = machineBusySeconds();
  const full = await timedCycle(env, group, false);
  const b3 = machineBusySeconds();
  const fullRows = await rowsDigest(env.pool, group.id);
  const busy = b0 === undefined ? undefined : { inc: b1! - b0, full: b3! - b2! };
  return { changed: changed.length, inc, full, busy, equal: incRows.md5 === fullRows.md5 && incRows.rows === fullRows.rows, rows: fullRows.rows };
}

/** Two rounds, each an incremental cycle and then a full recompute of the same nodes. */
export async function incrementalBench(): Promise<void> {
  const env = await createTestEnv('benchinc');
  const procs = await startWorkerProcesses(env, 2, env.cfg.workerConcurrency);
  try {
    const people = [...syntheticPeople({ count: NODES, seed: 8, prefix: 'c' })];
    const group = await groupOf(env, 'incremental', people, 'metadata');
    const first = Date.now();
    await fullCycle(env, group);
    const limit = env.cfg.lshCandidateLimit ? `candidate limit ${env.cfg.lshCandidateLimit.toLocaleString('en')}` : 'no candidate limit';
    const what = `${NODES.toLocaleString('en')} nodes, LSH (${limit}), K = ${env.cfg.topK} + ${env.cfg.topKReserve} reserve`;
    const rows: Row[] = [{ measure: `incremental: ${what}, first full cycle, wall s`, value: ((Date.now() - first) / 1000).toFixed(1) }];
    if (env.cfg.lshCandidateLimit) {
      // with a limit, every list records its node's LSH candidates, exactly after a full cycle
      const { rows: [c] } = await env.pool.query(
        `SELECT percentile_disc(ARRAY[0.1, 0.5, 0.9]) WITHIN GROUP (ORDER BY colliders) AS p, avg((colliders > $2)::int) AS over
         FROM potential_match_lists WHERE group_id = $1`, [group.id, env.cfg.lshCandidateLimit]);
      rows.push({
        measure: '  LSH candidates per node: 10th percentile, median, 90th; nodes over the limit',
        value: `${(c.p as number[]).join(', ')}; ${(100 * Number(c.over)).toFixed(1)} %`,
      });
    }
    let compared = 0;
    for (let r = 0; r < 2; r++) {
      const o = await round(env, group, people, r);
      if (!o.equal) throw new Error(`round ${r + 1}: the incremental cycle left other rows than the full recompute`);
      compared += o.rows;
      const busy = o.busy ? `; machine busy ${o.busy.inc.toFixed(0)} and ${o.busy.full.toFixed(0)} CPU-s` : '';
      rows.push(
        {
          measure: `  round ${r + 1}: ${o.changed.toLocaleString('en')} changed (5 %) + ${(NODES / 50).toLocaleString('en')} new (2 %), incremental, wall s`,
          value: o.inc.seconds.toFixed(1),
        },
        { measure: `  round ${r + 1}: full recompute of the same nodes (anchor), wall s`, value: o.full.seconds.toFixed(1) },
        { measure: `  round ${r + 1}: incremental / full`, value: (o.inc.seconds / o.full.seconds).toFixed(2), target: `target ≤ 0.30${busy}` },
        { measure: `  round ${r + 1}: unchanged nodes the merge could not settle (scored against every node)`, value: o.inc.rescored.toLocaleString('en') },
      );
      for (const [name, c] of [['incremental', o.inc], ['full', o.full]] as const) {
        const steps = Object.entries(c.buildMs).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`).join(', ');
        rows.push({ measure: `    ${name}: phases, s; build jobs' steps summed, s`, value: '', target: `${phaseText(c.phases)}; ${steps}` });
      }
    }
    rows.push({
      measure: '  potential_matches of each incremental cycle equal to the full recompute, row for row',
      value: 'yes',
      target: `${compared.toLocaleString('en')} rows compared`,
    });
    printTable(rows);
  } finally {
    await stopWorkerProcesses(procs);
    await closeCycleQueues();
    await env.cleanup();
  }
}

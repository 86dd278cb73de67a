// The cycle part of `npm run bench -- potential` (a helper module: the leading _ keeps bench/run.ts
// from taking it for a benchmark) (bench/potential.ts explains the data): whole
// potential-match cycles of generated groups run by `matchflow worker` processes.
//
// Scaling (1 vs 2 processes) is measured with each process running one job at a time
// (WORKER_CONCURRENCY=1, one scoring thread): a build job's second half is PostgreSQL writing its
// rows, in PostgreSQL's own process, so one worker process running two jobs at once already keeps
// both cores of a 2-core machine busy and a second process could add nothing. One job at a time
// makes a process about one core of work, which is what adding a process adds. The 50,000-node
// cycle runs 2 processes with the default concurrency (WORKER_CONCURRENCY jobs each).
//
// Every scaling run starts from the same state — its own schema (empty tables), worker processes
// that have run a 3,000-node warm-up cycle (steady state, as long-lived replicas are; fresh
// processes run their first jobs unoptimized, two fresh ones twice), then a CHECKPOINT — and the
// runs alternate 1, 2, 1, 2, 1, 2: a run that writes into the table an earlier run filled, or
// right after another run's WAL, is slower, and always running one kind first biased the ratio.
// Each run also reports the machine's busy CPU seconds (/proc/stat). Two anchors (_scalingAnchor.ts)
// measure apart what a second process adds to the two halves of a build job — the scoring core
// alone, and PostgreSQL writing a cycle's rows — and from the 1-process runs' mix of the two the
// bench prints the ratio those anchors allow the build phase.
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Job } from 'bullmq';
import { CompatibilityScorer } from '../src/matching/compatibilityScorer.ts';
import { compareCodePoints, encodePage, type NodeInput } from '../src/matching/encodedPage.ts';
import { flatGroupTopK } from '../src/matching/groupTopK.ts';
import { closeCycleQueues, potentialQueue } from '../src/potential/cycleJobs.ts';
import { startCycle, waitForCycle } from '../src/potential/startCycle.ts';
import type { GroupRow } from '../src/groups/catalog.ts';
import type { Config } from '../src/shared/config.ts';
import type { Pool } from '../src/shared/db.ts';
import { syntheticPeople, type SyntheticNode } from '../src/synthetic/people.ts';
import { insertNodes, makeGroup } from '../test/support/potentialFixture.ts';
import { createTestEnv, type TestEnv } from '../test/support/testEnv.ts';
import { printTable, type Row } from './_table.ts';
import { rowWriteScaling, scoringCoreScaling } from './_scalingAnchor.ts';

/** Pairs of 1-process and 2-process runs, alternating: single runs spread by 10–20 % here. */
const SCALING_PAIRS = 3;
const CLI = fileURLToPath(new URL('../bin/matchflow.js', import.meta.url));

export async function startWorkerProcesses(env: TestEnv, n: number, concurrency: number): Promise<ChildProcess[]> {
  const procs = Array.from({ length: n }, () => spawn(process.execPath, [CLI, 'worker', '--queues', 'potential'], {
    env: { ...env.env, METRICS_PORT: '0', LOG_LEVEL: 'warn', MATCHING_SCORING_THREADS: '1', WORKER_CONCURRENCY: String(concurrency) },
    stdio: ['ignore', 'ignore', 'inherit'],
  }));
  const queue = potentialQueue(env.cfg);
  const deadline = Date.now() + 60_000;
  while ((await queue.getWorkers()).length < n) {
    if (Date.now() > deadline) throw new Error('worker processes did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
  return procs;
}

export async function stopWorkerProcesses(procs: ChildProcess[]): Promise<void> {
  await Promise.all(procs.map((p) => new Promise<void>((resolve) => {
    if (p.exitCode !== null) return resolve();
    p.once('exit', () => resolve());
    p.kill('SIGTERM');
  })));
}

/** Busy CPU seconds of the whole machine so far (Linux; undefined elsewhere). */
function machineBusySeconds(): number | undefined {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
    const idle = f[3] + f[4]; // idle + iowait
    return (f.reduce((a, b) => a + b, 0) - idle) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

interface CycleRun {
  seconds: number;
  /** machine CPU seconds busy during the cycle (all processes: workers, PostgreSQL, Redis) */
  busy?: number;
  phases: Record<string, number>;
  pairs: number;
  rows: number;
  /** build jobs' own times summed (ms): scoring, and writing the page's rows */
  buildMs: { score: number; write: number };
}

/** Wall time of each job kind: first start to last finish. */
export function phases(jobs: Job[]): Record<string, number> {
  const out: Record<string, [number, number]> = {};
  for (const j of jobs) {
    if (!j.processedOn || !j.finishedOn) continue;
    const p = (out[j.name] ??= [Infinity, 0]);
    p[0] = Math.min(p[0], j.processedOn);
    p[1] = Math.max(p[1], j.finishedOn);
  }
  return Object.fromEntries(Object.entries(out).map(([k, [a, b]]) => [k, (b - a) / 1000]));
}

/** A new group holding `nodes`, with fresh planner statistics. */
export async function groupOf(env: TestEnv, name: string, nodes: SyntheticNode[], strategy: string): Promise<GroupRow> {
  const group = await makeGroup(env.pool, name, { candidateStrategy: strategy });
  await insertNodes(env.pool, group, nodes);
  await env.pool.query('ANALYZE nodes');
  return group;
}

/** A full cycle of `group` on the worker processes running, to its COMPLETED last run. */
export async function fullCycle(env: TestEnv, group: GroupRow): Promise<{ cycleId: string; edgeCount: number }> {
  const cycleId = await startCycle(env.cfg, group, { incremental: false });
  const out = await waitForCycle(env.cfg, env.pool, group.id, cycleId, 100);
  if (out.status !== 'COMPLETED') throw new Error(`cycle ${out.status}: ${JSON.stringify(out)}`);
  return { cycleId, edgeCount: out.lastRun.edgeCount ?? 0 };
}

async function runCycle(env: TestEnv, workers: number, concurrency: number, nodes: SyntheticNode[], strategy: string, warmUp?: SyntheticNode[]): Promise<CycleRun & { groupId: string }> {
  const group = await groupOf(env, `bench-${strategy}-${nodes.length}-${workers}-${concurrency}`, nodes, strategy);
  const procs = await startWorkerProcesses(env, workers, concurrency);
  try {
    // Worker replicas are long-lived: a cycle normally runs on processes whose code is already
    // optimized. A fresh process spends its first jobs in V8's unoptimized tiers, and two fresh
    // processes pay that twice; a small cycle of another group first measures the steady state.
    if (warmUp) await fullCycle(env, await groupOf(env, `warm-up-${workers}`, warmUp, strategy));
    // the same start for every run: no dirty buffers or WAL of the run before (needs superuser)
    await env.pool.query('CHECKPOINT').catch(() => undefined);
    const busy0 = machineBusySeconds();
    const t0 = Date.now();
    const { cycleId, edgeCount } = await fullCycle(env, group);
    const seconds = (Date.now() - t0) / 1000;
    const busy1 = machineBusySeconds();
    const jobs = (await potentialQueue(env.cfg).getJobs(['completed'], 0, -1)).filter((j) => (j.data as { cycleId?: string }).cycleId === cycleId);
    const builds = jobs.filter((j) => j.name === 'build-chunk-pair').map((j) => j.returnvalue as { pairs: number; ms: { rank: number; stage: number } });
    const pairs = builds.reduce((s, b) => s + b.pairs, 0);
    const buildMs = { score: builds.reduce((s, b) => s + b.ms.rank, 0), write: builds.reduce((s, b) => s + b.ms.stage, 0) };
    return { seconds, busy: busy0 !== undefined && busy1 !== undefined ? busy1 - busy0 : undefined, phases: phases(jobs), pairs, rows: edgeCount, buildMs, groupId: group.id };
  } finally {
    await stopWorkerProcesses(procs);
  }
}

/** recall@K (src/matching/recall.ts's definition) of the group's rows against the exact top-K. */
async function pipelineRecall(pool: Pool, cfg: Config, groupId: string, nodes: SyntheticNode[]): Promise<number> {
  const sorted = [...nodes].sort((a, b) => compareCodePoints(a.referenceId, b.referenceId));
  const exact = flatGroupTopK(new CompatibilityScorer(), { pages: [encodePage(sorted as NodeInput[])] }, cfg.topK).topK;
  const { rows } = await pool.query<{ reference_id: string; compatibility_score: number }>(
    'SELECT reference_id, compatibility_score FROM potential_matches WHERE group_id = $1', [groupId]);
  const got = new Map<string, number[]>();
  for (const r of rows) (got.get(r.reference_id) ?? got.set(r.reference_id, []).get(r.reference_id)!).push(r.compatibility_score);
  let recalled = 0;
  let expected = 0;
  sorted.forEach((n, u) => {
    const truth = exact.sorted(u);
    if (!truth.length) return;
    const tau = truth[truth.length - 1].score;
    recalled += Math.min(truth.length, (got.get(n.referenceId) ?? []).filter((s) => s >= tau).length);
    expected += truth.length;
  });
  return recalled / expected;
}

export function phaseText(p: Record<string, number>): string {
  const short: Record<string, string> = { 'fetch-page': 'fetch', 'build-chunk-pair': 'build', 'flush-group': 'flush', 'finalize-group': 'finalize' };
  return Object.entries(short).map(([k, s]) => `${s} ${(p[k] ?? 0).toFixed(1)}`).join(', ');
}

/**
 * One 10,000-node cycle in a schema of its own, so that every scaling run starts alike, on worker
 * processes that have run a warm-up cycle.
 */
async function scalingRun(workers: number, nodes: SyntheticNode[], warmUp: SyntheticNode[], withRecall: boolean): Promise<CycleRun & { recall?: number }> {
  const env = await createTestEnv('benchpot');
  try {
    const run = await runCycle(env, workers, 1, nodes, 'metadata', warmUp);
    return withRecall ? { ...run, recall: await pipelineRecall(env.pool, env.cfg, run.groupId, nodes) } : run;
  } finally {
    await closeCycleQueues();
    await env.cleanup();
  }
}

function cycleRows(label: string, r: CycleRun, workers: number, target = ''): Row[] {
  const busy = r.busy === undefined ? '' : `; machine busy ${r.busy.toFixed(1)} CPU-s = ${(r.busy / r.seconds).toFixed(2)} cores`;
  return [
    { measure: `cycle ${label}: wall s`, value: r.seconds.toFixed(1), target },
    { measure: `  phases (first start → last finish, s)`, value: '', target: phaseText(r.phases) + busy },
    { measure: `  pairs scored; per s of build phase per process`, value: `${(r.pairs / 1e6).toFixed(1)} M`, target: `${(r.pairs / (r.phases['build-chunk-pair'] * workers) / 1e6).toFixed(2)} M/s` },
    { measure: `  potential_matches rows`, value: r.rows.toLocaleString('en') },
  ];
}

export async function cycleBench(): Promise<void> {
  const rows: Row[] = [];
  const load = () => loadavg().map((x) => x.toFixed(2)).join(', ');
  rows.push({ measure: 'load average (1, 5, 15 min) before the cycles', value: '', target: load() });
  const anchor = await scoringCoreScaling();
  rows.push({
    measure: 'anchor: scoring core (LSH top-100, 10,000 nodes) 2 processes / 1',
    value: anchor.ratio.toFixed(2),
    target: `${anchor.alone} ms alone, ${anchor.together.join(' and ')} ms side by side`,
  });
  const scratch = await createTestEnv('benchpot');
  const write = await rowWriteScaling(scratch.pool).finally(() => scratch.cleanup());
  rows.push({
    measure: 'anchor: PostgreSQL writing 1,000,000 rows, 2 connections / 1',
    value: write.ratio.toFixed(2),
    target: `${write.serialMs} ms one after the other, ${write.parallelMs} ms side by side`,
  });
  const small = [...syntheticPeople({ count: 10_000, seed: 7, prefix: 'a' })];
  const warmUp = [...syntheticPeople({ count: 3_000, seed: 9, prefix: 'w' })];
  const pairs: Array<[CycleRun, CycleRun]> = [];
  let recall = 0;
  for (let i = 0; i < SCALING_PAIRS; i++) {
    const one = await scalingRun(1, small, warmUp, false);
    const two = await scalingRun(2, small, warmUp, i === 0);
    recall = two.recall ?? recall;
    pairs.push([one, two]);
  }
  const env = await createTestEnv('benchpot');
  try {
    const big = await runCycle(env, 2, env.cfg.workerConcurrency, [...syntheticPeople({ count: 50_000, seed: 8, prefix: 'c' })], 'metadata');
    rows.push({ measure: 'load average (1, 5, 15 min) after the cycles', value: '', target: load() });
    pairs.forEach(([one, two], i) => {
      rows.push(...cycleRows(`10,000 nodes, LSH, 1 worker process × 1 job (pair ${i + 1})`, one, 1));
      rows.push(...cycleRows(`10,000 nodes, LSH, 2 worker processes × 1 job (pair ${i + 1})`, two, 2));
    });
    rows.push(...cycleRows(`50,000 nodes, LSH, 2 worker processes × ${env.cfg.workerConcurrency} jobs`, big, 2, 'target ≤ 120'));
    const ratios = pairs.map(([one, two]) => one.seconds / two.seconds);
    rows.push({
      measure: '10,000 nodes: throughput 2 processes / 1 process (1 job each), mean of the pairs',
      value: (ratios.reduce((a, b) => a + b, 0) / ratios.length).toFixed(2),
      target: `target ≥ 1.6 (pairs: ${ratios.map((r) => r.toFixed(2)).join(', ')}; anchor ${anchor.ratio.toFixed(2)})`,
    });
    // What the anchors allow a build phase of the 1-process runs' mix of scoring and writing:
    // each share sped up by its own anchor (the serial fetch, flush and finalize not counted).
    const score = pairs.reduce((s, [one]) => s + one.buildMs.score, 0);
    const written = pairs.reduce((s, [one]) => s + one.buildMs.write, 0);
    const share = score / (score + written);
    rows.push({
      measure: '10,000 nodes: ratio the anchors allow the build phase',
      value: (1 / (share / anchor.ratio + (1 - share) / write.ratio)).toFixed(2),
      target: `a 1-process build job: ${(100 * share).toFixed(0)} % scoring, ${(100 * (1 - share)).toFixed(0)} % writing its rows`,
    });
    // However well two processes share the machine, they cannot finish sooner than the CPU seconds
    // of the cycle spread over all cores allow; a 1-process cycle that keeps more than one core
    // busy (its PostgreSQL backend beside the worker) leaves less than one core for a second process.
    const cores = pairs.flatMap(([one]) => (one.busy === undefined ? [] : [one.busy / one.seconds]));
    if (cores.length) {
      const meanCores = cores.reduce((a, b) => a + b, 0) / cores.length;
      rows.push({
        measure: '10,000 nodes: ceiling of that ratio on this machine',
        value: (availableParallelism() / meanCores).toFixed(2),
        target: `${availableParallelism()} cores / ${meanCores.toFixed(2)} cores busy in a 1-process cycle (if 2 processes needed no more CPU-s and left no core idle)`,
      });
    }
    rows.push({ measure: `LSH recall@${env.cfg.topK} vs flat, rows written by the 10,000-node cycle`, value: recall.toFixed(4), target: 'target ≥ 0.95' });
  } finally {
    await closeCycleQueues();
    await env.cleanup();
  }
  printTable(rows);
}

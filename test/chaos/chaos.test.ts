// The chaos suite (issue 7.1): a full pipeline (import → potential → perfect) over several groups
// on 3 worker processes, against a private PostgreSQL and a private Redis (AOF) reached through
// per-worker TCP proxies, while faults chosen by a seed hit it. Every run must end with the
// tables of an undisturbed run of the same input, nothing stuck, nothing held, no node lost or
// processed twice.
//
//   npm test               one chaos run with a fixed seed (CI budget)
//   npm run test:chaos     CHAOS_RUNS runs (default 5); CHAOS_SEED=<n> replays a printed seed
//   CHAOS_REDIS=cluster    the same against a local Redis Cluster (3 masters, 1 replica each), where
//                          the Redis fault is the SIGKILL of the master holding matchflow's keys
//                          (npm run test:cluster runs it once)
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { diffSnapshots, type TablesSnapshot } from '../support/chaos/tableSnapshot.ts';
import { faultInjector, type InjectedFault } from '../support/chaos/faults.ts';
import { runPipeline, startChaosCluster, writeInput, type ChaosCluster, type GroupInput } from '../support/chaos/pipelineRun.ts';

const RUNS = Number(process.env.CHAOS_RUNS ?? 1);
// `npm test` (CHAOS_RUNS unset) replays a fixed seed whose faults are of all four kinds (a Redis
// restart, a partition, two PostgreSQL restarts, a kill), so CI stays repeatable;
// `npm run test:chaos` draws new seeds unless CHAOS_SEED is given.
// On a cluster (CHAOS_REDIS=cluster) the fixed seed draws the Redis fault first, so that one run
// does kill the master of matchflow's slot (then a worker, then PostgreSQL).
const ON_CLUSTER = process.env.CHAOS_REDIS === 'cluster';
const CI_SEED = ON_CLUSTER ? 19000163 : 318746904;
const SEED = Number(process.env.CHAOS_SEED ?? (process.env.CHAOS_RUNS ? Math.floor(Math.random() * 1e9) : CI_SEED));
const FAULTS_PER_RUN = Number(process.env.CHAOS_FAULTS ?? 5);
const LOG = '/tmp/matchflow-chaos-workers.log';

describe(`chaos${ON_CLUSTER ? ' on a Redis Cluster' : ''}: a full pipeline under worker kills, server restarts and network cuts`, function () {
  this.timeout(240000 + RUNS * 240000);
  let cluster: ChaosCluster;
  let input: GroupInput[];
  let baseline: TablesSnapshot;

  before(async () => {
    writeFileSync(LOG, '');
    cluster = await startChaosCluster(ON_CLUSTER ? { kind: 'cluster', masters: 3, replicas: 1 } : { kind: 'single' });
    input = writeInput(cluster, { groups: 4, domains: 2, nodes: 450 });
    const clean = await runPipeline(cluster, input, { tag: 'baseline', workers: 3, logFile: LOG, maxReruns: 0 });
    expect(clean.problems, 'undisturbed run').to.deep.equal([]);
    baseline = clean.snapshot;
    expect(baseline.perfectMatches.length).to.be.greaterThan(0);
    console.log(`    chaos: undisturbed run of ${clean.nodes} nodes in ${input.length} groups: ${clean.pipelineMs} ms`);
  });
  after(async () => {
    await cluster?.stop();
  });

  it(`${RUNS} run(s) with up to ${FAULTS_PER_RUN} faults each end with the undisturbed tables (seed ${SEED})`, async () => {
    console.log(`    chaos: CHAOS_SEED=${SEED} CHAOS_RUNS=${RUNS} (replay with these)`);
    const summary = { runs: 0, faults: 0, matched: 0, reruns: 0, byKind: {} as Record<string, number> };
    const failures: string[] = [];
    for (let run = 0; run < RUNS; run++) {
      const seed = SEED + run;
      const faults: InjectedFault[] = [];
      let outcome: string;
      try {
        const r = await runPipeline(cluster, input, {
          tag: `r${run}_${seed}`, workers: 3, logFile: LOG,
          disturb: faultInjector({ seed, max: FAULTS_PER_RUN, gapMs: [200, 1800] }, faults),
        });
        const diff = diffSnapshots(baseline, r.snapshot);
        const problems = [...r.problems, ...(diff ? [diff] : [])];
        if (problems.length === 0) summary.matched++;
        else failures.push(`run ${run} (seed ${seed}): ${problems.join('\n')}`);
        summary.reruns += r.reruns.length;
        outcome = `${problems.length === 0 ? 'matched' : 'DIFFERED'} in ${r.pipelineMs} ms, ` +
          `${r.workersStarted} workers started (${r.workersSelfExited} exited by themselves)` +
          (r.reruns.length ? `; cycles run again as the next tick would: ${r.reruns.join(' | ')}` : '');
      } catch (err) {
        failures.push(`run ${run} (seed ${seed}): ${(err as Error).message}`);
        outcome = `FAILED: ${(err as Error).message}`;
      }
      summary.runs++;
      summary.faults += faults.length;
      for (const f of faults) summary.byKind[f.kind] = (summary.byKind[f.kind] ?? 0) + 1;
      console.log(`    chaos run ${run} seed ${seed}: ${faults.map((f) => `${f.kind}(${f.detail})@${f.atMs}ms`).join(', ') || 'no fault landed'} → ${outcome}`);
    }
    console.log(`    chaos summary: seed ${SEED}, runs ${summary.runs}, faults injected ${summary.faults} ${JSON.stringify(summary.byKind)}, ` +
      `runs matched ${summary.matched}/${summary.runs}, failed cycles run again ${summary.reruns}`);
    expect(failures, `worker logs: ${LOG}`).to.deep.equal([]);
  });
});

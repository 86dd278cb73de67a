// Horizontal scale (issue 7.4): the same pipeline (import → potential → perfect) on 1, 2 and 4
// worker processes gives identical tables; prints the throughput of each. The machine's load is
// printed next to the figures: on a shared 2-core box they say more about contention than scale.
import { expect } from 'chai';
import { loadavg, cpus } from 'node:os';
import { writeFileSync } from 'node:fs';
import { diffSnapshots, type TablesSnapshot } from '../support/chaos/tableSnapshot.ts';
import { runPipeline, startChaosCluster, writeInput, type ChaosCluster, type GroupInput } from '../support/chaos/pipelineRun.ts';

const LOG = '/tmp/matchflow-scale-workers.log';
const NODES = Number(process.env.SCALE_NODES_PER_GROUP ?? 600);

describe('horizontal scale: 1, 2 and 4 worker processes', function () {
  this.timeout(600000);
  let cluster: ChaosCluster;
  let input: GroupInput[];

  before(async () => {
    writeFileSync(LOG, '');
    cluster = await startChaosCluster();
    input = writeInput(cluster, { groups: 6, domains: 3, nodes: NODES, seed: 11 });
  });
  after(async () => {
    await cluster?.stop();
  });

  it('give identical tables, with their throughput printed', async () => {
    const snapshots: Array<[number, TablesSnapshot]> = [];
    const lines: string[] = [];
    for (const workers of [1, 2, 4]) {
      // MATCH_MAX_CONCURRENT_DOMAINS=3: every group may run at once, so more workers can help
      const r = await runPipeline(cluster, input, {
        tag: `scale${workers}`, workers, logFile: LOG, env: { MATCH_MAX_CONCURRENT_DOMAINS: '3', WORKER_LOCK_DURATION_MS: '30000' },
      });
      expect(r.problems, `${workers} workers`).to.deep.equal([]);
      snapshots.push([workers, r.snapshot]);
      const nodesPerSecond = (r.nodes / (r.pipelineMs / 1000)).toFixed(0);
      const cells = [String(workers).padStart(7), String(r.pipelineMs).padStart(8), nodesPerSecond.padStart(11),
        String(r.snapshot.potentialMatches.length).padStart(9), loadavg()[0].toFixed(2)];
      lines.push(cells.join(' | '));
    }
    console.log(`    ${input.length} groups × ${NODES} nodes, ${cpus().length} cores\n    workers |   ms     | nodes/s     | potential | load(1m) after`);
    for (const l of lines) console.log(`    ${l}`);
    const [, first] = snapshots[0];
    for (const [workers, snap] of snapshots.slice(1)) expect(diffSnapshots(first, snap), `${workers} workers vs 1`).to.equal(null);
  });
});

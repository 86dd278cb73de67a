// Sentinel: one master, one replica and three Sentinels, all local. The master is SIGKILLed in the
// middle of a potential cycle; the Sentinels promote the replica, the workers follow them to it,
// and the pipeline (2 groups, 2 worker processes) ends with the tables of an undisturbed run —
// no cycle run again, no job stuck, no lock or permit held.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { runPipeline, startChaosCluster, writeInput, type ChaosCluster, type GroupInput } from '../support/chaos/pipelineRun.ts';
import { diffSnapshots, type TablesSnapshot } from '../support/chaos/tableSnapshot.ts';
import { whenMidCycle } from '../support/chaos/midCycle.ts';

const LOG = '/tmp/matchflow-sentinel-workers.log';

describe('Redis Sentinel: the master SIGKILLed mid-cycle', function () {
  this.timeout(480_000);
  let servers: ChaosCluster;
  let input: GroupInput[];
  let baseline: TablesSnapshot;

  before(async () => {
    writeFileSync(LOG, '');
    servers = await startChaosCluster({ kind: 'sentinel' });
    input = writeInput(servers, { groups: 2, domains: 2, nodes: 600, seed: 29 });
    const calm = await runPipeline(servers, input, { tag: 'calm', workers: 2, logFile: LOG, maxReruns: 0 });
    expect(calm.problems, 'undisturbed run').to.deep.equal([]);
    baseline = calm.snapshot;
    expect(baseline.perfectMatches.length).to.be.greaterThan(0);
  });
  after(async () => {
    await servers?.stop();
  });

  it('the workers follow the promoted replica and the cycle completes with the undisturbed tables', async () => {
    const sentinel = servers.redisSentinel!;
    let killed: { dead: number; promoted: number; promotedAfterMs: number; midCycle: { completedBuilds: number; pending: number } } | undefined;
    const r = await runPipeline(servers, input, {
      tag: 'failover', workers: 2, logFile: LOG, maxReruns: 0,
      disturb: async (ctx) => {
        const midCycle = await whenMidCycle(ctx.cfg, ctx.done);
        if (!midCycle) return;
        const dead = await sentinel.killMaster();
        const t0 = Date.now();
        const promoted = await sentinel.waitForNewMaster(dead);
        killed = { dead, promoted, promotedAfterMs: Date.now() - t0, midCycle };
      },
    });
    expect(killed, 'the master was killed while the cycle ran').to.not.equal(undefined);
    expect(r.problems).to.deep.equal([]);
    expect(r.reruns, 'no cycle had to run again').to.deep.equal([]);
    expect(diffSnapshots(baseline, r.snapshot)).to.equal(null);
    console.log(`      master ${killed!.dead} SIGKILLed after ${killed!.midCycle.completedBuilds} build job(s), ${killed!.midCycle.pending} job(s) pending;` +
      ` replica ${killed!.promoted} promoted ${killed!.promotedAfterMs} ms later; pipeline ${r.pipelineMs} ms`);
  });
});

// The whole pipeline (CSV import → potential cycle → perfect matches, 2 groups) from 2 worker
// processes on a local Redis Cluster of 3 masters, against the same pipeline on one Redis server
// in the same run: the tables must be equal, nothing stuck or held, every matchflow key in the
// one hash slot of {QUEUE_PREFIX}, and both end-to-end times are printed.
//
// Part of `npm test` (small) and `npm run test:cluster`. CLUSTER_PIPELINE_NODES (nodes per group)
// and CLUSTER_PIPELINE_PAIRS (single/cluster runs, alternating) make it a measurement.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { Cluster } from 'ioredis';
import { loadConfig } from '../../src/shared/config.ts';
import { createRedis, scanKeys } from '../../src/shared/redis.ts';
import { runPipeline, startChaosCluster, writeInput, type ChaosCluster, type GroupInput, type RunResult } from '../support/chaos/pipelineRun.ts';
import { diffSnapshots } from '../support/chaos/tableSnapshot.ts';
import { startLocalCluster } from '../support/redis/localCluster.ts';

const LOG = '/tmp/matchflow-cluster-pipeline-workers.log';
const NODES = Number(process.env.CLUSTER_PIPELINE_NODES ?? 300);
const PAIRS = Number(process.env.CLUSTER_PIPELINE_PAIRS ?? 1);

describe('Redis Cluster: the whole pipeline on 3 masters from 2 worker processes', function () {
  this.timeout(240_000 + PAIRS * 240_000);
  let single: ChaosCluster;
  let onCluster: ChaosCluster;
  let input: GroupInput[];

  before(async () => {
    writeFileSync(LOG, '');
    single = await startChaosCluster({ kind: 'single' });
    try {
      const redisCluster = await startLocalCluster({ masters: 3, replicas: 0 });
      // the same PostgreSQL server and input files; each run has a schema of its own
      onCluster = { ...single, redis: undefined, redisCluster, redisEnv: redisCluster.env, stop: () => redisCluster.stop() };
    } catch (err) {
      await single.stop();
      throw err;
    }
    input = writeInput(single, { groups: 2, domains: 2, nodes: NODES, seed: 19 });
  });
  after(async () => {
    await onCluster?.stop();
    await single?.stop();
  });

  it('gives the tables of a single-instance run, with every key in the one slot of {QUEUE_PREFIX}', async () => {
    const runs: Array<{ where: 'single' | 'cluster'; r: RunResult }> = [];
    for (let pair = 0; pair < PAIRS; pair++) {
      // alternate which goes first, so that neither always meets a warmer PostgreSQL
      const order = pair % 2 === 0 ? (['single', 'cluster'] as const) : (['cluster', 'single'] as const);
      for (const where of order) {
        const r = await runPipeline(where === 'single' ? single : onCluster, input, { tag: `${where}${pair}`, workers: 2, logFile: LOG, maxReruns: 0 });
        expect(r.problems, `${where} run ${pair}`).to.deep.equal([]);
        runs.push({ where, r });
      }
    }
    const baseline = runs.find((x) => x.where === 'single')!.r.snapshot;
    expect(baseline.perfectMatches.length).to.be.greaterThan(0);
    for (const { where, r } of runs) expect(diffSnapshots(baseline, r.snapshot), where).to.equal(null);

    // every key of a cluster run sits on one master (the hash tag), and there are some
    const cfg = loadConfig({ ...process.env, ...onCluster.redisEnv, QUEUE_PREFIX: 'chaos-cluster0' });
    expect(cfg.queuePrefix).to.equal('{chaos-cluster0}');
    const redis = createRedis(cfg) as Cluster;
    try {
      let keys = 0;
      for await (const batch of scanKeys(redis, `${cfg.queuePrefix}:*`)) keys += batch.length;
      expect(keys, 'keys of the cluster run').to.be.greaterThan(0);
      const holders: string[] = [];
      for (const master of redis.nodes('master')) {
        const [, found] = await master.scan('0', 'MATCH', `${cfg.queuePrefix}:*`, 'COUNT', 100000);
        if (found.length) holders.push(`${master.options.port}`);
      }
      expect(holders, 'masters holding keys of the run').to.have.length(1);
    } finally {
      redis.disconnect();
    }

    const nodes = input.reduce((a, g) => a + g.rows, 0);
    const ms = (where: string) => runs.filter((x) => x.where === where).map((x) => x.r.pipelineMs);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(`      ${input.length} groups × ${NODES} nodes, 2 worker processes; end-to-end (import → perfect), ms:`);
    const line = (where: string) => `${ms(where).join(', ')} (mean ${mean(ms(where)).toFixed(0)}, ${(nodes / (mean(ms(where)) / 1000)).toFixed(0)} nodes/s)`;
    console.log(`      single Redis:             ${line('single')}`);
    console.log(`      Redis Cluster, 3 masters: ${line('cluster')}`);
    console.log(`      cluster / single: ${(mean(ms('cluster')) / mean(ms('single'))).toFixed(2)}`);
  });
});

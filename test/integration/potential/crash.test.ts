// Worker processes (matchflow worker) running potential cycles: shared by three processes, and
// surviving SIGKILLs of workers in the middle of the flow.
import { expect } from 'chai';
import { readFile, writeFile } from 'node:fs/promises';
import type { Job } from 'bullmq';
import { closeCycleQueues, potentialQueue } from '../../../src/potential/cycleJobs.ts';
import { startCycle, waitForCycle } from '../../../src/potential/startCycle.ts';
import { syntheticPeople } from '../../../src/synthetic/people.ts';
import { WorkerFleet } from '../../support/chaos/workerFleet.ts';
import { expectedRows, insertNodes, makeGroup, matchesOf } from '../../support/potentialFixture.ts';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';

const K = 10;
const LOG = '/tmp/matchflow-potential-crash.log';

async function activeJobs(env: TestEnv, name: string): Promise<Job[]> {
  return (await potentialQueue(env.cfg).getActive()).filter((j) => j.name === name);
}

async function until(f: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe('potential cycles on worker processes', function () {
  this.timeout(180000);
  let env: TestEnv;
  let fleet: WorkerFleet;

  before(async () => {
    const overrides = { nodeFetchBatchSize: 400, topK: K, workerLockDurationMs: 3000, workerStalledIntervalMs: 1000 };
    env = await createTestEnv('potcrash', { overrides });
    await writeFile(LOG, '');
    fleet = new WorkerFleet({
      size: 3, pgPort: 5432, redisPort: 6379, queues: 'potential', logFile: LOG,
      env: {
        ...env.env, LOG_LEVEL: 'info', NODE_FETCH_BATCH_SIZE: '400', MATCHING_TOPK_COUNT: String(K),
        WORKER_LOCK_DURATION_MS: '3000', WORKER_STALLED_INTERVAL_MS: '1000', WORKER_CONCURRENCY: '2',
        DATABASE_URL: env.cfg.databaseUrl, REDIS_URL: env.cfg.redisUrl,
      },
    });
    await fleet.start();
  });
  after(async () => {
    await fleet?.stop();
    await closeCycleQueues();
    await env?.cleanup();
  });

  it('three worker processes share one flow and write the exact top-K', async () => {
    const nodes = [...syntheticPeople({ count: 2400, seed: 31, prefix: 'w' })];
    const group = await makeGroup(env.pool, 'three', { candidateStrategy: 'flat' });
    await insertNodes(env.pool, group, nodes);
    const cycleId = await startCycle(env.cfg, group, { incremental: false });
    const out = await waitForCycle(env.cfg, env.pool, group.id, cycleId, 100, 120000);
    expect(out.status, JSON.stringify(out)).to.equal('COMPLETED');
    expect(await matchesOf(env.pool, group.id)).to.deep.equal(expectedRows(nodes, K));
    const pids = new Set((await readFile(LOG, 'utf8')).split('\n')
      .filter((l) => l.includes('"job completed"') && l.includes(cycleId)).map((l) => JSON.parse(l).pid));
    expect(pids.size).to.equal(3);
  });

  it('SIGKILLed workers during chunk pairs and during flush leave potential_matches equal to an undisturbed run', async () => {
    const nodes = [...syntheticPeople({ count: 3200, seed: 37, prefix: 'k' })];
    const group = await makeGroup(env.pool, 'killed', { candidateStrategy: 'flat' });
    await insertNodes(env.pool, group, nodes);
    const cycleId = await startCycle(env.cfg, group, { incremental: false });
    // kill every process while build-chunk-pair jobs run, one after the other
    for (let slot = 0; slot < fleet.size; slot++) {
      expect(await until(async () => (await activeJobs(env, 'build-chunk-pair')).length > 0, 60000), 'builds running').to.equal(true);
      await fleet.killAndReplace(slot);
    }
    // and once more while flush-group runs, if it is caught
    const caughtFlush = await until(async () => (await activeJobs(env, 'flush-group')).length > 0, 60000);
    if (caughtFlush) await fleet.killAndReplace(0);
    const out = await waitForCycle(env.cfg, env.pool, group.id, cycleId, 100, 150000);
    expect(out.status, JSON.stringify(out)).to.equal('COMPLETED');
    expect(await matchesOf(env.pool, group.id)).to.deep.equal(expectedRows(nodes, K));
    expect(fleet.started).to.be.at.least(6);
  });

  it('a worker SIGKILLed in an incremental cycle over changed nodes: the retried cycle equals a full recompute', async () => {
    const nodes = [...syntheticPeople({ count: 2400, seed: 41, prefix: 'c' })];
    const group = await makeGroup(env.pool, 'changed-killed', { candidateStrategy: 'metadata' });
    await insertNodes(env.pool, group, nodes);
    const first = await startCycle(env.cfg, group, { incremental: false });
    expect((await waitForCycle(env.cfg, env.pool, group.id, first, 100, 120000)).status).to.equal('COMPLETED');
    // what an import that changes every 5th person does: new metadata, unprocessed
    const other = [...syntheticPeople({ count: nodes.length, seed: 43, prefix: 'o' })];
    await env.pool.query(
      `UPDATE nodes n SET metadata = c.metadata::jsonb, processed = false, updated_at = now()
       FROM unnest($2::text[], $3::text[]) AS c(ref, metadata) WHERE n.group_id = $1 AND n.reference_id = c.ref`,
      [group.id, nodes.filter((_, i) => i % 5 === 0).map((n) => n.referenceId),
        nodes.filter((_, i) => i % 5 === 0).map((_, i) => JSON.stringify(other[i].metadata))]);
    const cycleId = await startCycle(env.cfg, group, { incremental: true });
    for (let slot = 0; slot < 2; slot++) {
      expect(await until(async () => (await activeJobs(env, 'build-chunk-pair')).length > 0, 60000), 'builds running').to.equal(true);
      await fleet.killAndReplace(slot);
    }
    const out = await waitForCycle(env.cfg, env.pool, group.id, cycleId, 100, 150000);
    expect(out.status, JSON.stringify(out)).to.equal('COMPLETED');
    const incremental = await matchesOf(env.pool, group.id);
    const full = await startCycle(env.cfg, group, { incremental: false });
    expect((await waitForCycle(env.cfg, env.pool, group.id, full, 100, 120000)).status).to.equal('COMPLETED');
    expect(incremental).to.deep.equal(await matchesOf(env.pool, group.id));
  });
});

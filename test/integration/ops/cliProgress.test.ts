// Long commands show progress: `matchflow run potential --wait` draws the cycle's progress on
// stderr (a line per 10 % when stderr is not a terminal) and ends at 100 %; a command run against
// a schema that was never migrated says so and exits 1.
import { expect } from 'chai';
import { closeCycleQueues, flushJobId, potentialQueue } from '../../../src/potential/cycleJobs.ts';
import { syntheticPeople } from '../../../src/synthetic/people.ts';
import { startWorkers, type WorkerPool } from '../../../src/workers/runtime.ts';
import { insertNodes, makeGroup } from '../../support/potentialFixture.ts';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';
import { runCli as cli } from '../../support/runCli.ts';


describe('CLI progress and exit codes', function () {
  this.timeout(180000);
  let env: TestEnv;
  let workers: WorkerPool | undefined;
  before(async () => {
    env = await createTestEnv('cliprog', { overrides: { topK: 5, nodeFetchBatchSize: 50 } });
  });
  after(async () => {
    await workers?.close();
    await closeCycleQueues();
    await env?.cleanup();
  });

  it('run potential --wait shows the cycle progress up to 100 % on stderr', async () => {
    const group = await makeGroup(env.pool, 'progress', { candidateStrategy: 'flat' });
    await insertNodes(env.pool, group, syntheticPeople({ count: 400, seed: 3, prefix: 'p' }));
    const run = cli(['run', 'potential', '--group', group.id, '--wait'], { ...env.env, NODE_FETCH_BATCH_SIZE: '50', MATCHING_TOPK_COUNT: '5' });
    // Workers start once the command waits on its enqueued cycle.
    const queue = potentialQueue(env.cfg);
    for (const end = Date.now() + 60_000; (await queue.getJobCounts('waiting')).waiting === 0;) {
      if (Date.now() > end) throw new Error('the command enqueued no cycle');
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 1500));
    const cycleId = ((await queue.getJobs(['waiting']))[0].data as { cycleId: string }).cycleId;
    workers = await startWorkers(env.cfg, { queues: ['potential'], concurrency: 2 });
    // A cycle this small can run between two of the command's polls (500 ms): hold it part-way,
    // once a row page is done, for three polls, so that a line between 10 % and 100 % is drawn.
    for (const end = Date.now() + 60_000; ;) {
      const flush = await queue.getJob(flushJobId(cycleId));
      if (flush && ((await flush.getDependenciesCount({ processed: true })).processed ?? 0) > 0) break;
      if (Date.now() > end) throw new Error('no row page of the cycle was done');
      await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.all(workers.workers.map((w) => w.pause()));
    await new Promise((r) => setTimeout(r, 1500));
    await Promise.all(workers.workers.map((w) => w.resume()));
    const r = await run;
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/COMPLETED in [\d.]+ s: 400 new nodes/);
    // the workers were not there yet when it began to wait
    expect(r.stderr).to.match(/no worker serves the 'potential' queue/);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('potential '));
    const percents = lines.map((l) => Number(/^potential (\d+)%/.exec(l)![1]));
    expect(percents[percents.length - 1]).to.equal(100);
    expect(percents).to.deep.equal([...percents].sort((a, b) => a - b));
    expect(lines.length).to.be.greaterThanOrEqual(2);
  });

  it('a schema that was never migrated: exit 1 and a hint to run migrate, no stack trace', async () => {
    const r = await cli(['run', 'potential', '--group', 'anything'], { ...env.env, DB_SCHEMA: `${env.schema}_missing` });
    expect(r.status).to.equal(1);
    expect(r.stderr).to.match(/does not exist: is the database migrated\? Run `matchflow migrate`/);
    expect(r.stderr).to.not.match(/\n +at /);
  });
});

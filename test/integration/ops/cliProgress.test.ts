// Long commands show progress: `matchflow run potential --wait` draws the cycle's progress on
// stderr (a line per 10 % when stderr is not a terminal) and ends at 100 %; a command run against
// a schema that was never migrated says so and exits 1.
import { expect } from 'chai';
import { flushJobId, potentialQueue } from '../../../src/potential/cycleJobs.ts';
import { syntheticPeople } from '../../../src/synthetic/people.ts';
import { insertNodes, makeGroup } from '../../support/potentialFixture.ts';
import { runCli as cli, startCli } from '../../support/runCli.ts';
import { until } from '../../support/waitFor.ts';
import { createWorkerEnv, type WorkerEnv } from '../../support/workerEnv.ts';

describe('CLI progress and exit codes', function () {
  this.timeout(180000);
  let env: WorkerEnv;
  before(async () => {
    env = await createWorkerEnv('cliprog', { overrides: { topK: 5, nodeFetchBatchSize: 50 } });
  });
  after(async () => {
    await env?.cleanup();
  });

  it('run potential --wait shows the cycle progress up to 100 % on stderr', async () => {
    const group = await makeGroup(env.pool, 'progress', { candidateStrategy: 'flat' });
    await insertNodes(env.pool, group, syntheticPeople({ count: 400, seed: 3, prefix: 'p' }));
    const run = startCli(['run', 'potential', '--group', group.id, '--wait'], { ...env.env, NODE_FETCH_BATCH_SIZE: '50', MATCHING_TOPK_COUNT: '5' });
    const said = (what: string, re: RegExp) => until(what, () => {
      if (re.test(run.stderr())) return true;
      if (run.exited()) throw new Error(`the command exited before ${what}: ${run.stderr()}`);
      return false;
    }, { timeoutMs: 60_000, everyMs: 20 });
    // Workers start once the command, its cycle enqueued, has said that no worker serves the queue.
    await said('the no-worker warning', /no worker serves the 'potential' queue/);
    const queue = potentialQueue(env.cfg);
    const cycleId = ((await queue.getJobs(['waiting']))[0].data as { cycleId: string }).cycleId;
    const workers = await env.startWorkers({ queues: ['potential'], concurrency: 2 });
    // A cycle this small can run between two of the command's polls (500 ms): hold it part-way,
    // once a row page is done, until the command has drawn a line between 10 % and 100 %.
    await until('a row page of the cycle done', async () => {
      const flush = await queue.getJob(flushJobId(cycleId));
      return flush && ((await flush.getDependenciesCount({ processed: true })).processed ?? 0) > 0;
    }, { timeoutMs: 60_000, everyMs: 20 });
    await Promise.all(workers.workers.map((w) => w.pause()));
    await said('a progress line of the held cycle', /^potential ([1-9]\d)% /m);
    await Promise.all(workers.workers.map((w) => w.resume()));
    const r = await run.done;
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

  // whatever other schemas (public after `npm run demo`) hold: the pool searches DB_SCHEMA alone
  it('a schema that was never migrated: exit 1 and a hint to run migrate, no stack trace', async () => {
    const r = await cli(['run', 'potential', '--group', 'anything'], { ...env.env, DB_SCHEMA: `${env.schema}_missing` });
    expect(r.status).to.equal(1);
    expect(r.stderr).to.equal(`matchflow run: schema "${env.schema}_missing" (DB_SCHEMA) is not migrated: `
      + 'run `matchflow migrate` with the same DB_SCHEMA first\n');
  });
});

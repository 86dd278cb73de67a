// A worker SIGKILLed in the middle of an import: the retried job (picked up by another worker
// process once the lock lapses) must leave exactly the table a clean import leaves.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { syntheticPeople } from '../../../src/synthetic/people.ts';
import { getImportJob } from '../../../src/import/importJobs.ts';
import { createRedis } from '../../../src/shared/redis.ts';
import { createImportFixture, failedRowsOf, type ImportFixture } from '../../support/importFixture.ts';
import { until as untilWithin } from '../../support/waitFor.ts';

const CLI = fileURLToPath(new URL('../../../bin/matchflow.js', import.meta.url));
const ROWS = 60_000;
const BATCH = 6_000;

function peopleCsv(seed: number, extra: string[] = []): Buffer {
  const lines = ['reference_id,type,industry,city,skills,years'];
  for (const p of syntheticPeople({ count: ROWS, seed, types: [['MENTOR', 0.5], ['MENTEE', 0.5]] })) {
    const m = p.metadata;
    lines.push(`${p.referenceId},${p.type},${m.industry},"${m.city}",${m.skills},${m.years_experience}`);
  }
  return gzipSync(lines.concat(extra).join('\n') + '\n');
}

const until = <T>(what: string, f: () => Promise<T | null | undefined | false>) => untilWithin(what, f, { timeoutMs: 60_000, everyMs: 20 });

const logPath = (name: string) => join(tmpdir(), `mf-import-crash-${process.pid}-${name}.log`);

function startWorkerProcess(fx: ImportFixture, name: string): ChildProcess {
  const log = createWriteStream(logPath(name));
  // detached: timeout leads a process group holding the CLI wrapper and the worker, so that a
  // signal to the group reaches the worker itself (SIGKILL to `timeout` alone would orphan it).
  const child = spawn('timeout', ['120', process.execPath, CLI, 'worker', '--queues', 'import'], {
    detached: true,
    env: {
      ...fx.t.env, IMPORT_ROOT: fx.root, IMPORT_BATCH_SIZE: String(BATCH),
      WORKER_LOCK_DURATION_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000', LOG_LEVEL: 'warn',
      // any free port: the default one may still be held by the killed worker or by another run
      METRICS_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  return child;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

/** True while any process of the group is alive. */
function groupAlive(child: ChildProcess): boolean {
  try {
    process.kill(-child.pid!, 0);
    return true;
  } catch {
    return false;
  }
}

async function snapshot(fx: ImportFixture, groupId: string): Promise<string[]> {
  const { rows } = await fx.t.pool.query<{ r: string }>(
    `SELECT reference_id || ' ' || coalesce(type, '-') || ' ' || metadata::text || ' ' || processed AS r
     FROM nodes WHERE group_id = $1 ORDER BY reference_id`, [groupId]);
  return rows.map((x) => x.r);
}

describe('import-file: a worker killed mid-import', function () {
  let fx: ImportFixture;
  const children: ChildProcess[] = [];
  before(async () => { fx = await createImportFixture('impkill', { importBatchSize: BATCH }); });
  after(async () => {
    for (const c of children) signalGroup(c, 'SIGKILL');
    await fx.close();
    for (const name of ['first', 'second']) await rm(logPath(name), { force: true });
  });

  it('leaves, after the retry, exactly the table of a clean import', async () => {
    // v1 is imported and "processed" by a potential run; v2 changes most nodes, repeats some
    // and has bad rows. The kill lands in the middle of v2.
    await fx.file('v1.csv.gz', peopleCsv(1));
    await fx.file('v2.csv.gz', peopleCsv(2, ['p-0000007,MENTOR,x,y,z,1', ',MENTEE,no,id,here,1', 'p-0000009,MENTEE,short']));
    const imports: Record<string, { v1: string; v2?: string }> = {};
    for (const group of ['clean', 'killed']) {
      const v1 = await fx.run({ group, source: { kind: 'file', path: 'v1.csv.gz' } }, );
      expect(v1.status).to.equal('COMPLETED');
      imports[group] = { v1: v1.groupId };
    }
    await fx.t.pool.query('UPDATE nodes SET processed = true');
    const clean = await fx.run({ group: 'clean', source: { kind: 'file', path: 'v2.csv.gz' } });
    expect(clean.status).to.equal('FAILED'); // two rejected rows: partial success (seed)
    expect(clean.failedNodes).to.equal(2);
    await fx.workers!.close();
    fx.workers = null;

    const first = startWorkerProcess(fx, 'first');
    children.push(first);
    const enq = await fx.enqueue({ group: 'killed', source: { kind: 'file', path: 'v2.csv.gz' } });
    // Kill once several batches have gone into the import's open transaction.
    await until('rows merged', async () => ((await getImportJob(fx.t.pool, enq.importJobId))?.totalNodes ?? 0) >= 3 * BATCH);
    signalGroup(first, 'SIGKILL');
    await until('the killed worker gone', async () => !groupAlive(first));
    // No process is left to finish it: the job stays PROCESSING past the lock's lapse.
    const redis = createRedis({}, fx.cfg.redisUrl);
    try {
      await until('the killed worker\'s job lock to lapse', async () => (await redis.exists(`${fx.queue.toKey(enq.importJobId)}:lock`)) === 0);
    } finally {
      redis.disconnect();
    }
    const mid = await getImportJob(fx.t.pool, enq.importJobId);
    expect(mid?.status).to.equal('PROCESSING');
    // Nothing of v2 is visible: the killed transaction rolled back.
    const { rows: [{ n: changed }] } = await fx.t.pool.query(
      'SELECT count(*)::int AS n FROM nodes WHERE group_id = $1 AND processed = false', [imports.killed.v1]);
    expect(changed).to.equal(0);

    const second = startWorkerProcess(fx, 'second');
    children.push(second);
    const done = await until('retried import finished', async () => {
      const j = await getImportJob(fx.t.pool, enq.importJobId);
      return j && (j.status === 'COMPLETED' || j.status === 'FAILED') ? j : null;
    });
    signalGroup(second, 'SIGTERM');
    expect(done.status).to.equal(clean.status);
    expect([done.totalNodes, done.processedNodes, done.failedNodes, done.duplicateNodes])
      .to.deep.equal([clean.totalNodes, clean.processedNodes, clean.failedNodes, clean.duplicateNodes]);
    // The import commits its status a moment before BullMQ records the job as completed.
    const bull = await until('BullMQ finished the retried job', async () => {
      const j = await fx.queue.getJob(enq.importJobId);
      return j?.finishedOn ? j : null;
    });
    expect(bull.failedReason ?? null).to.equal(null);

    const [a, b] = [await snapshot(fx, imports.clean.v1), await snapshot(fx, imports.killed.v1)];
    expect(a.length).to.equal(ROWS);
    expect(b.length).to.equal(a.length);
    expect(b.filter((x, i) => x !== a[i])).to.deep.equal([]);
    expect((await failedRowsOf(fx, done.id)).map((f) => [f.row_number, f.reason]))
      .to.deep.equal((await failedRowsOf(fx, clean.id)).map((f) => [f.row_number, f.reason]));
  });
});

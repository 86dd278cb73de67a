// A worker process on SIGTERM: /readyz turns 503, the running job finishes, the process exits 0
// within SHUTDOWN_TIMEOUT_MS; a job longer than the deadline is handed back to its queue and runs
// again elsewhere. Job log lines carry the job's fields and no secret.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';
import { until } from '../../support/waitFor.ts';
import { openQueue } from '../../../src/shared/queue.ts';
import { JOB, QUEUE } from '../../../src/shared/queues.ts';

const SCRIPT = fileURLToPath(new URL('../../support/gracefulWorker.ts', import.meta.url));

interface Event { event: string; at: number; port?: number; id?: string; clean?: boolean }

function startWorker(t: TestEnv, env: Record<string, string>) {
  const proc = spawn(process.execPath, ['--import', 'tsx', SCRIPT], { env: { ...t.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: Event[] = [];
  let stderr = '';
  createInterface({ input: proc.stdout! }).on('line', (l) => { try { events.push(JSON.parse(l)); } catch { /* not an event */ } });
  proc.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<{ code: number | null; at: number }>((r) => proc.on('exit', (code) => r({ code, at: Date.now() })));
  const next = async (name: string, timeoutMs = 15_000): Promise<Event> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const e = events.find((x) => x.event === name);
      if (e) return e;
      if (proc.exitCode !== null || Date.now() > end) throw new Error(`no '${name}' event (exit ${proc.exitCode}): ${stderr.slice(-2000)}`);
      await sleep(10);
    }
  };
  return { proc, events, exited, next, stderr: () => stderr };
}

describe('worker process graceful shutdown', function () {
  this.timeout(40_000);
  let t: TestEnv;
  const procs: ChildProcess[] = [];
  beforeEach(async () => { t = await createTestEnv('gs', { migrate: false }); });
  afterEach(async () => {
    for (const p of procs.splice(0)) if (p.exitCode === null) p.kill('SIGKILL');
    await t.cleanup();
  });

  it('SIGTERM mid-job: /readyz 503, the job completes, exit 0 within the deadline; job logs carry its fields, redacted', async () => {
    const w = startWorker(t, { JOB_MS: '1500', SHUTDOWN_TIMEOUT_MS: '8000' });
    procs.push(w.proc);
    const { port } = await w.next('started');
    const base = `http://127.0.0.1:${port}`;
    const readyBy = Date.now() + 5000;
    while ((await fetch(`${base}/readyz`)).status !== 200) {
      expect(Date.now(), 'ready within 5 s of start').to.be.lessThan(readyBy);
      await sleep(50);
    }
    const queue = openQueue(t.cfg, QUEUE.perfect);
    try {
      const job = await queue.add(JOB.perfectMatchGroup, { domainId: 'd1', groupId: 'g1', potentialCycleId: 'c1' });
      await w.next('job-start');
      const termAt = Date.now();
      w.proc.kill('SIGTERM');
      // the probe server is told to drain in the same step that logs 'shutting down'
      await until('the shutdown to begin', () => {
        if (w.proc.exitCode !== null) throw new Error(`exited before it logged its shutdown: ${w.stderr().slice(-2000)}`);
        return /"msg":"shutting down"/.test(w.stderr());
      }, { timeoutMs: 8000, everyMs: 10 });
      const r = await fetch(`${base}/readyz`);
      expect(r.status).to.equal(503);
      expect(await r.json()).to.deep.equal({ status: 'draining' });
      const { code, at } = await w.exited;
      expect(code).to.equal(0);
      expect(at - termAt).to.be.lessThan(8000);
      expect(w.events.map((e) => e.event)).to.include.members(['job-end', 'stopped']);
      expect(await job.getState()).to.equal('completed');

      const lines = w.stderr().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      const inJob = lines.filter((l) => l.jobId === job.id);
      expect(inJob.map((l) => l.msg)).to.include.members(['connecting to redis://:[redacted]@cache:6379', 'job completed']);
      for (const l of inJob) expect(l).to.include({ queue: QUEUE.perfect, groupId: 'g1', domainId: 'd1' });
      expect(w.stderr()).not.to.match(/SEKRIT/);
    } finally {
      await queue.close();
    }
  });

  it('a job longer than the deadline is handed back to the queue (no attempt used) and another worker runs it', async () => {
    const deadlineMs = 1500;
    const w = startWorker(t, { JOB_MS: '20000', SHUTDOWN_TIMEOUT_MS: String(deadlineMs) });
    procs.push(w.proc);
    await w.next('started');
    const queue = openQueue(t.cfg, QUEUE.perfect);
    try {
      const job = await queue.add(JOB.perfectMatchGroup, { domainId: 'd1', groupId: 'g2' });
      await w.next('job-start');
      const termAt = Date.now();
      w.proc.kill('SIGTERM');
      const { code, at } = await w.exited;
      expect(code, 'the shutdown finished in time').to.equal(0);
      expect(at - termAt, 'exits within the deadline (plus the CLI exit grace)').to.be.lessThan(deadlineMs + 500);
      expect(w.events.map((e) => e.event)).to.include('job-aborted').and.not.to.include('job-end');
      expect(await job.getState(), 'handed back').to.equal('waiting');

      const next = startWorker(t, { JOB_MS: '50' });
      procs.push(next.proc);
      await next.next('job-end');
      // 'job-end' is said inside the processor; BullMQ marks the job completed just after it returns.
      const running = await queue.getJob(job.id!);
      await until('BullMQ to finish the job', async () => (await running!.getState()) !== 'active', { timeoutMs: 5000, everyMs: 20 });
      expect(await running!.getState()).to.equal('completed');
      const settled = await queue.getJob(job.id!);
      expect(settled!.stacktrace, 'no failed attempt recorded').to.deep.equal([]);
      console.log(`      exited ${at - termAt} ms after SIGTERM with a 20 s job running (deadline ${deadlineMs} ms); the job ran again elsewhere`);
      next.proc.kill('SIGTERM');
      await next.exited;
    } finally {
      await queue.close();
    }
  });
});

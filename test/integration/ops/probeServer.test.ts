// /metrics, /healthz and /readyz of a worker or producer process, against real servers and
// against unreachable ones.
import { expect } from 'chai';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';
import { openQueue } from '../../../src/shared/queue.ts';
import { JOB, QUEUE } from '../../../src/shared/queues.ts';
import { metrics } from '../../../src/shared/metrics.ts';
import { startProbeServer } from '../../../src/ops/probeServer.ts';

describe('probe server', () => {
  let t: TestEnv;
  beforeEach(async () => { t = await createTestEnv('probe', { migrate: false }); });
  afterEach(async () => { await t.cleanup(); });

  it('serves the seeds\' metrics, queue depths and process metrics; healthz; readyz until drained', async () => {
    const queue = openQueue(t.cfg, QUEUE.potential);
    const probes = await startProbeServer(t.cfg, { queues: [QUEUE.potential, QUEUE.perfect], port: 0, host: '127.0.0.1' });
    try {
      for (let i = 0; i < 3; i++) await queue.add(JOB.fetchPage, { cycleId: 'c', domainId: 'd', groupId: 'g', pageIndex: i, after: null, incremental: false });
      await queue.add(JOB.fetchPage, { cycleId: 'c', domainId: 'd', groupId: 'g', pageIndex: 9, after: null, incremental: false }, { delay: 60_000 });
      metrics.potentialMatchesSaved.inc({ groupId: 'g-probe' }, 42);

      const res = await fetch(`${probes.url}/metrics`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.contain('text/plain');
      const text = await res.text();
      expect(text).to.contain('bullmq_queue_jobs{queue="potential",state="waiting"} 3');
      expect(text).to.contain('bullmq_queue_jobs{queue="potential",state="delayed"} 1');
      expect(text).to.contain('bullmq_queue_jobs{queue="perfect",state="failed"} 0');
      expect(text).to.contain('potential_matches_saved_total{groupId="g-probe"} 42');
      for (const name of ['potential_matches_generated_total', 'match_drops_total', 'batch_matches_total_duration', 'graph_build_duration',
        'storage_processor_batch_duration', 'matching_duration', 'perfect_matches_creation', 'perfect_matches_creation_errors_total',
        'process_cpu_user_seconds_total', 'nodejs_eventloop_lag_seconds']) {
        expect(text, name).to.contain(`# TYPE ${name} `);
      }

      expect(await (await fetch(`${probes.url}/healthz`)).json()).to.deep.equal({ status: 'ok' });
      const ready = await fetch(`${probes.url}/readyz`);
      expect(ready.status).to.equal(200);
      expect(await ready.json()).to.deep.equal({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
      expect((await fetch(`${probes.url}/nope`)).status).to.equal(404);
      expect((await fetch(`${probes.url}/metrics`, { method: 'POST' })).status).to.equal(405);

      probes.drain();
      expect((await fetch(`${probes.url}/readyz`)).status).to.equal(503);
      expect((await fetch(`${probes.url}/healthz`)).status, 'alive while draining').to.equal(200);
    } finally {
      await probes.close();
      await queue.close();
    }
  });

  it('readyz answers 503 naming the dependency (not the error) when PostgreSQL and Redis are unreachable, within the timeout', async () => {
    const timeoutMs = 500;
    const cfg = { ...t.cfg, databaseUrl: 'postgres://postgres@127.0.0.1:1/none', redisUrl: 'redis://127.0.0.1:1', healthCheckTimeoutMs: timeoutMs };
    const probes = await startProbeServer(cfg, { port: 0, host: '127.0.0.1' });
    try {
      const t0 = Date.now();
      const res = await fetch(`${probes.url}/readyz`);
      expect(Date.now() - t0).to.be.lessThan(timeoutMs + 500);
      expect(res.status).to.equal(503);
      const body = await res.json() as { status: string; checks: { postgres: string; redis: string } };
      expect(body.status).to.equal('not ready');
      expect(body.checks).to.deep.equal({ postgres: 'down', redis: 'down' });
      expect((await fetch(`${probes.url}/healthz`)).status).to.equal(200);
      expect((await fetch(`${probes.url}/metrics`)).status, 'process metrics still served').to.equal(200);
    } finally {
      await probes.close();
    }
  });

  it('refuses a port in use with a message naming METRICS_PORT', async () => {
    const a = await startProbeServer(t.cfg, { port: 0, host: '127.0.0.1' });
    try {
      let err: Error | undefined;
      await startProbeServer(t.cfg, { port: a.port, host: '127.0.0.1' }).catch((e: Error) => { err = e; });
      expect(err?.message).to.match(/METRICS_PORT \d+ is in use/);
    } finally {
      await a.close();
    }
  });
});

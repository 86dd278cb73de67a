// After a demo run, /metrics shows the seeds' named metrics (docs/operations.md) with the
// values the run produced: every stage's counters and timers moved for the demo's groups.
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runDemo } from '../../../src/commands/demo.ts';
import { startProbeServer } from '../../../src/ops/probeServer.ts';
import { QUEUE } from '../../../src/shared/queues.ts';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';

interface Sample { name: string; labels: Record<string, string>; value: number }

/** Prometheus text exposition → samples (enough of the format for prom-client's output). */
function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

describe('metrics after a demo run', function () {
  this.timeout(240000);
  let t: TestEnv;
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'mf-demo-metrics-'));
    // a small K, so that top-K eviction drops edges (match_drops_total)
    t = await createTestEnv('demomet', { migrate: false, overrides: { importRoot: root, topK: 5 } });
  });
  after(async () => {
    await t?.cleanup();
    await rm(root, { recursive: true, force: true });
  });

  it('/metrics shows the named metrics with non-zero values for the demo groups', async () => {
    const quiet = new Writable({ write: (_c, _e, cb) => cb() });
    const ctx = await runDemo(t.cfg, t.pool, { nodesPerGroup: 300, seed: 5 }, quiet);
    const groupIds = new Set(ctx.domain.groups.map((g) => g.group.id));
    const probes = await startProbeServer(t.cfg, { queues: [QUEUE.import, QUEUE.potential, QUEUE.perfect], port: 0, host: '127.0.0.1' });
    let text: string;
    try {
      const res = await fetch(`${probes.url}/metrics`);
      expect(res.status).to.equal(200);
      text = await res.text();
    } finally {
      await probes.close();
    }
    const samples = parseMetrics(text);
    const ofDemo = (name: string) => samples.filter((s) => s.name === name && (!s.labels.groupId || groupIds.has(s.labels.groupId)));
    const total = (name: string) => ofDemo(name).reduce((a, s) => a + s.value, 0);
    const perGroup = (name: string) => new Set(ofDemo(name).filter((s) => s.value > 0).map((s) => s.labels.groupId));

    // counters: each demo group moved them
    for (const name of ['potential_matches_generated_total', 'potential_matches_saved_total', 'match_drops_total', 'perfect_matches_saved_total']) {
      expect([...perGroup(name)].sort(), name).to.deep.equal([...groupIds].sort());
    }
    const evicted = ofDemo('match_drops_total').filter((s) => s.labels.reason === 'top_k_eviction').reduce((a, s) => a + s.value, 0);
    expect(total('potential_matches_generated_total')).to.equal(total('potential_matches_saved_total') + evicted);
    expect([...new Set(ofDemo('match_drops_total').map((s) => s.labels.reason))].sort()).to.deep.equal(['lsh_candidate_limit', 'top_k_eviction']);
    // the cycle metrics carry the group's domain
    const domainIds = new Set(ctx.domain.groups.map((g) => g.group.domainId));
    for (const name of ['potential_matches_generated_total', 'potential_matches_saved_total', 'match_drops_total', 'perfect_matches_creation_count',
      'matching_duration_count', 'batch_matches_total_duration_count']) {
      expect(ofDemo(name).length, name).to.be.greaterThan(0);
      expect(ofDemo(name).every((s) => domainIds.has(s.labels.domainId)), name).to.equal(true);
    }
    expect(total('nodes_imported_total')).to.be.greaterThan(0);
    // timers (histograms): observed at least once per demo group where they carry a groupId
    for (const name of ['batch_matches_total_duration', 'graph_build_duration', 'matching_duration', 'perfect_matches_creation',
      'potential_matches_cycle_duration', 'perfect_match_storage_duration', 'graph_preprocessor_duration', 'perfect_match_storage_batch_duration']) {
      expect([...perGroup(`${name}_count`)].sort(), name).to.deep.equal([...groupIds].sort());
      expect(total(`${name}_sum`), name).to.be.greaterThan(0);
    }
    const storage = samples.filter((s) => s.name === 'storage_processor_batch_duration_count');
    expect(storage.find((s) => s.labels.table === 'potential_matches')?.value).to.be.greaterThan(0);
    expect(storage.find((s) => s.labels.table === 'perfect_matches')?.value).to.be.greaterThan(0);
    // errors: present for every demo group, and zero
    for (const name of ['perfect_matches_creation_errors_total', 'matching_errors_total']) {
      const errors = ofDemo(name);
      expect(errors.map((s) => s.labels.groupId).sort(), name).to.deep.equal([...groupIds].sort());
      expect(errors.every((s) => s.value === 0), name).to.equal(true);
    }
    expect(text).to.contain('# TYPE perfect_match_storage_errors_total counter');
    expect(text).to.contain('# TYPE max_retries_exceeded_total counter');
    expect(samples.find((s) => s.name === 'heap_usage_before_cleanup')?.value).to.be.greaterThan(0);
    expect(text).to.contain('# TYPE heap_usage_after_cleanup gauge');
    expect(samples.find((s) => s.name === 'system_cpu_usage')?.value).to.be.within(0, 1);
    // queue depths and the default process metrics
    expect(samples.some((s) => s.name === 'bullmq_queue_jobs' && s.labels.queue === 'perfect' && s.labels.state === 'failed')).to.equal(true);
    expect(samples.find((s) => s.name === 'process_cpu_user_seconds_total')?.value).to.be.greaterThan(0);
  });
});

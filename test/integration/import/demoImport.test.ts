import { expect } from 'chai';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemoDomain } from '../../../src/commands/demo/demoDomain.ts';
import { importNodes } from '../../../src/commands/demo/importNodes.ts';
import type { DemoContext } from '../../../src/commands/demo/stage.ts';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';

describe('demo: the import stage', () => {
  let t: TestEnv;
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'mf-demo-import-'));
    t = await createTestEnv('demoimp', { overrides: { importRoot: root } });
  });
  afterEach(async () => {
    await t.cleanup();
    await rm(root, { recursive: true, force: true });
  });

  it('writes each group as CSV and imports it through import-file jobs', async () => {
    const domain = await createDemoDomain(t.cfg, t.pool, { nodesPerGroup: 500, seed: 3 });
    const workDir = join(root, 'demo');
    await mkdir(workDir);
    const ctx: DemoContext = { cfg: t.cfg, pool: t.pool, domain, workDir, timings: new Map() };
    await importNodes.run(ctx);
    for (const { group, nodes } of domain.groups) {
      const { rows } = await t.pool.query(
        'SELECT reference_id, type, metadata FROM nodes WHERE group_id = $1 ORDER BY reference_id', [group.id]);
      const expected = [...nodes()].sort((a, b) => (a.referenceId < b.referenceId ? -1 : 1));
      expect(rows.map((r) => [r.reference_id, r.type, r.metadata])).to.deep.equal(expected.map((n) => [n.referenceId, n.type, n.metadata]));
      expect(ctx.timings.get(group.id)?.import).to.be.a('number');
    }
    const { rows: jobs } = await t.pool.query("SELECT status FROM nodes_import_job");
    expect(jobs.map((j) => j.status)).to.deep.equal(['COMPLETED', 'COMPLETED']);
  });
});

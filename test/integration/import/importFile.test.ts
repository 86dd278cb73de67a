import { expect } from 'chai';
import { createImportFixture, failedRowsOf, nodesOf, type ImportFixture } from '../../support/importFixture.ts';

const CSV = [
  'Reference ID,Type,City,favouriteColor,Years Experience',
  'a1,MENTOR,london,blue,10',
  'a2,MENTEE,paris,,3',
  '"a3",MENTEE,"new york, ny",green,1',
].join('\n') + '\n';

describe('import-file: CSV from the import root', () => {
  let fx: ImportFixture;
  beforeEach(async () => { fx = await createImportFixture('imp'); });
  afterEach(async () => { await fx.close(); });

  for (const name of ['people.csv', 'people.csv.gz']) {
    it(`imports ${name}: normalized keys, metadata as JSONB, new nodes unprocessed`, async () => {
      await fx.file(name, CSV);
      const job = await fx.run({ source: { kind: 'file', path: name } });
      expect(job.status, job.failureReason ?? '').to.equal('COMPLETED');
      expect([job.totalNodes, job.processedNodes, job.failedNodes, job.duplicateNodes]).to.deep.equal([3, 3, 0, 0]);
      const nodes = await nodesOf(fx, job.groupId);
      expect(nodes).to.deep.equal([
        { reference_id: 'a1', type: 'MENTOR', metadata: { city: 'london', favourite_color: 'blue', years_experience: '10' }, processed: false },
        { reference_id: 'a2', type: 'MENTEE', metadata: { city: 'paris', years_experience: '3' }, processed: false },
        { reference_id: 'a3', type: 'MENTEE', metadata: { city: 'new york, ny', favourite_color: 'green', years_experience: '1' }, processed: false },
      ]);
      expect(job.startedAt).to.be.instanceOf(Date);
      expect(job.finishedAt).to.be.instanceOf(Date);
      const bull = await fx.queue.getJob(job.id);
      expect(bull?.progress).to.include({ percent: 100, rowsRead: 3 });
      expect(fx.published).to.have.length(1);
      const event = JSON.parse(fx.published[0].message.value);
      expect(fx.published[0].topic).to.equal(fx.cfg.kafkaStatusTopic);
      expect(event).to.include({ jobId: job.id, status: 'COMPLETED', processed: 3, total: 3, groupId: job.groupId, domainId: job.domainId });
      expect(event.successList).to.deep.equal(['a1', 'a2', 'a3']);
      expect(event.failedList).to.deep.equal([]);
    });
  }

  it('re-importing changes only updated_at and changed nodes; unchanged nodes keep processed', async () => {
    await fx.file('p.csv', CSV);
    const first = await fx.run({ source: { kind: 'file', path: 'p.csv' } });
    await fx.t.pool.query('UPDATE nodes SET processed = true');
    const { rows: before } = await fx.t.pool.query('SELECT id, reference_id, created_at, updated_at FROM nodes ORDER BY reference_id');
    await fx.file('p.csv', CSV.replace('a2,MENTEE,paris,,3', 'a2,MENTEE,berlin,,3'));
    const second = await fx.run({ source: { kind: 'file', path: 'p.csv' } });
    expect(second.status).to.equal('COMPLETED');
    expect(second.groupId).to.equal(first.groupId);
    const nodes = await nodesOf(fx, first.groupId);
    expect(nodes.map((n) => [n.reference_id, n.processed, n.metadata.city])).to.deep.equal([
      ['a1', true, 'london'], ['a2', false, 'berlin'], ['a3', true, 'new york, ny'],
    ]);
    const { rows: after } = await fx.t.pool.query('SELECT id, reference_id, created_at, updated_at FROM nodes ORDER BY reference_id');
    for (let i = 0; i < 3; i++) {
      expect(after[i].id).to.equal(before[i].id);
      expect(after[i].created_at.getTime()).to.equal(before[i].created_at.getTime());
      expect(after[i].updated_at).to.be.instanceOf(Date);
    }
  });

  it('a repeated reference id: the last row wins and the repeat is counted, within and across batches', async () => {
    await fx.close();
    fx = await createImportFixture('impdup', { importBatchSize: 2 });
    await fx.file('d.csv', 'reference_id,v\nx,1\ny,1\nx,2\nz,1\nx,3\ny,2\n');
    const job = await fx.run({ source: { kind: 'file', path: 'd.csv' } });
    expect(job.status).to.equal('COMPLETED');
    expect([job.totalNodes, job.processedNodes, job.duplicateNodes]).to.deep.equal([6, 3, 3]);
    const nodes = await nodesOf(fx, job.groupId);
    expect(nodes.map((n) => `${n.reference_id}=${n.metadata.v}`)).to.deep.equal(['x=3', 'y=2', 'z=1']);
  });

  it('records each bad row with its row number and reason; every good row lands; the job is FAILED (seed: < 100 %)', async () => {
    const bad = Buffer.concat([
      Buffer.from('reference_id,type,note\n'),
      Buffer.from('g1,T,ok\n'),
      Buffer.from(',T,no id\n'),
      Buffer.from('g2,T\n'),
      Buffer.from('g3,T,'), Buffer.from([0xc3, 0x28]), Buffer.from('\n'),
      Buffer.from(`g4,T,${'x'.repeat(5000)}\n`),
      Buffer.from(`g5,${'T'.repeat(51)},x\n`),
      Buffer.from(`${'r'.repeat(256)},T,x\n`),
      Buffer.from('g6,T,a\u0000b\n'),
      Buffer.from('g7,T,fine\n'),
    ]);
    await fx.file('bad.csv', bad);
    const job = await fx.run({ source: { kind: 'file', path: 'bad.csv' } });
    expect(job.status).to.equal('FAILED');
    expect(job.failureReason).to.match(/7 of 9 rows rejected/);
    expect([job.totalNodes, job.processedNodes, job.failedNodes]).to.deep.equal([9, 2, 7]);
    expect((await nodesOf(fx, job.groupId)).map((n) => n.reference_id)).to.deep.equal(['g1', 'g7']);
    const failed = await failedRowsOf(fx, job.id);
    expect(failed.map((f) => [f.row_number, f.reference_id, f.reason])).to.deep.equal([
      [2, null, 'missing reference_id'],
      [3, 'g2', 'expected 3 columns, found 2'],
      [4, 'g3', 'invalid UTF-8 in column note'],
      [5, 'g4', 'value of column note longer than 4096 characters'],
      [6, 'g5', 'type longer than 50 characters'],
      [7, 'r'.repeat(255), 'reference_id longer than 255 characters'],
      [8, 'g6', 'NUL character in column note'],
    ]);
    const event = JSON.parse(fx.published[0].message.value);
    expect(event).to.include({ status: 'FAILED', processed: 2, total: 9, failed: 7 });
    expect(event.failedList).to.have.length(7);
  });

  it('imports a reference list: new nodes with no metadata, existing nodes keep theirs', async () => {
    await fx.file('p.csv', CSV);
    const first = await fx.run({ source: { kind: 'file', path: 'p.csv' } });
    await fx.t.pool.query('UPDATE nodes SET processed = true');
    const job = await fx.run({ source: { kind: 'references', referenceIds: ['a1', 'r1', 'r2', 'r1'] }, type: 'MENTOR' });
    expect(job.status).to.equal('COMPLETED');
    expect([job.totalNodes, job.processedNodes, job.duplicateNodes]).to.deep.equal([4, 3, 1]);
    const nodes = await nodesOf(fx, first.groupId);
    expect(nodes.map((n) => [n.reference_id, n.type, Object.keys(n.metadata).length, n.processed])).to.deep.equal([
      ['a1', 'MENTOR', 3, true], ['a2', 'MENTEE', 3 - 1, true], ['a3', 'MENTEE', 3, true], ['r1', 'MENTOR', 0, false], ['r2', 'MENTOR', 0, false],
    ]);
  });

  it('deleting a group deletes its nodes (the cascade migration 010 keeps without a per-row foreign key)', async () => {
    await fx.file('p.csv', CSV);
    const job = await fx.run({ source: { kind: 'file', path: 'p.csv' } });
    await fx.t.pool.query('DELETE FROM matching_groups WHERE id = $1', [job.groupId]);
    const { rows } = await fx.t.pool.query('SELECT count(*)::int AS n FROM nodes');
    expect(rows[0].n).to.equal(0);
  });

  it('an import whose group was deleted after the enqueue fails without writing nodes', async () => {
    await fx.file('p.csv', CSV);
    await fx.workers!.close();
    const e = await fx.enqueue({ source: { kind: 'file', path: 'p.csv' }, group: 'doomed' });
    await fx.t.pool.query('DELETE FROM matching_groups WHERE id = $1', [e.groupId]);
    await fx.startWorker();
    const job = await fx.wait(e.importJobId);
    expect(job.status).to.equal('FAILED');
    expect(job.failureReason).to.match(/group .* does not exist/);
    const { rows } = await fx.t.pool.query('SELECT count(*)::int AS n FROM nodes WHERE group_id = $1', [e.groupId]);
    expect(rows[0].n).to.equal(0);
  });

  it('the same request key enqueues one import', async () => {
    await fx.file('p.csv', CSV);
    const a = await fx.enqueue({ source: { kind: 'file', path: 'p.csv' }, requestKey: 'k1' });
    const b = await fx.enqueue({ source: { kind: 'file', path: 'p.csv' }, requestKey: 'k1' });
    expect(b.importJobId).to.equal(a.importJobId);
    expect([a.created, b.created]).to.deep.equal([true, false]);
    await fx.wait(a.importJobId);
    const c = await fx.enqueue({ source: { kind: 'file', path: 'p.csv' }, requestKey: 'k1' });
    expect(c).to.include({ importJobId: a.importJobId, created: false, status: 'COMPLETED' });
    const { rows } = await fx.t.pool.query('SELECT count(*)::int AS n FROM nodes_import_job');
    expect(rows[0].n).to.equal(1);
    expect(await fx.queue.getJobCounts('completed', 'waiting', 'active')).to.deep.equal({ completed: 1, waiting: 0, active: 0 });
  });
});

// BinaryCopyRows against PostgreSQL itself: what goes in through COPY … (FORMAT binary) comes
// back the same, across chunk boundaries, for the values text COPY would have to escape.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { BinaryCopyRows, encodedFields, textFieldBytes } from '../../../src/shared/binaryCopy.ts';
import { copyChunks } from '../../../src/shared/copy.ts';
import { withTransaction } from '../../../src/shared/db.ts';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';

describe('BinaryCopyRows', function () {
  this.timeout(30_000);
  let t: TestEnv;
  before(async () => { t = await createTestEnv('bincopy', { migrate: false }); });
  after(async () => { await t.cleanup(); });

  it('round-trips uuids, UTF-8 text and doubles through COPY FROM STDIN (FORMAT binary)', async () => {
    // short ASCII is copied byte by byte, anything else by Buffer#write: both sides of each edge
    const texts = ['plain', 'tab\there', 'new\nline', 'back\\slash', 'naïve café', '😀 emoji', '', 'x'.repeat(300),
      'y'.repeat(64), 'z'.repeat(63) + 'ü', 'w'.repeat(65), 'v'.repeat(64) + 'ü'];
    const doubles = [0.1 + 0.2, 1e-300, -0, 1, 0.123456789012345678, Number.MAX_VALUE, -2.5];
    const rows = Array.from({ length: 500 }, (_, i) => ({
      id: randomBytes(16), s: texts[i % texts.length], v: doubles[i % doubles.length],
    }));
    const copy = new BinaryCopyRows(64); // tiny chunks: a row or two each
    for (const r of rows) copy.row(3, 20 + textFieldBytes(r.s) + 12).uuid(r.id).text(r.s).float8(r.v);
    const chunks = copy.finish();
    expect(chunks.length).to.be.greaterThan(50);
    const back = await withTransaction(t.pool, async (c) => {
      await c.query('CREATE TEMP TABLE bin (n serial, id uuid, s text, v double precision) ON COMMIT DROP');
      expect(await copyChunks(c, 'COPY bin (id, s, v) FROM STDIN (FORMAT binary)', chunks)).to.equal(rows.length);
      return (await c.query('SELECT id, s, v FROM bin ORDER BY n')).rows;
    });
    expect(back.map((r) => [r.id.replace(/-/g, ''), r.s, r.v])).to.deep.equal(rows.map((r) => [r.id.toString('hex'), r.s, r.v]));
    expect(Object.is(back[2].v, -0)).to.equal(true);
  });

  it('repeats fields encoded once (encodedFields) in every row', async () => {
    const group = '6f1c2d3e-4a5b-4c6d-8e7f-101112131415';
    const constant = encodedFields([{ uuid: group }, { text: 'cycle-é' }]);
    const copy = new BinaryCopyRows(64);
    for (let i = 0; i < 20; i++) copy.row(3, constant.length + 12 + 4).encoded(constant).float8(i);
    const back = await withTransaction(t.pool, async (c) => {
      await c.query('CREATE TEMP TABLE enc (g uuid, s text, v double precision) ON COMMIT DROP');
      await copyChunks(c, 'COPY enc (g, s, v) FROM STDIN (FORMAT binary)', copy.finish());
      return (await c.query('SELECT g, s, v FROM enc ORDER BY v')).rows;
    });
    expect(back).to.have.length(20);
    expect(back.every((r) => r.g === group && r.s === 'cycle-é')).to.equal(true);
  });
});

// copyOutLines when its line handler throws: the error comes back, and the connection is usable
// at once (a half-read COPY TO would leave it hanging for ever).
import { expect } from 'chai';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';
import { withClient } from '../../../src/shared/db.ts';
import { copyOutLines } from '../../../src/shared/copy.ts';

describe('copyOutLines', function () {
  this.timeout(30_000);
  let t: TestEnv;
  beforeEach(async () => { t = await createTestEnv('copyout', { migrate: false }); });
  afterEach(async () => { await t.cleanup(); });

  it('streams every line of a large COPY', async () => {
    let sum = 0;
    const n = await withClient(t.pool, (c) => copyOutLines(c, 'COPY (SELECT g FROM generate_series(1, 200000) g) TO STDOUT', (l) => { sum += Number(l); }));
    expect(n).to.equal(200_000);
    expect(sum).to.equal(200_000 * 200_001 / 2);
  });

  it('a handler that throws early: the error is returned and the same connection answers the next query', async () => {
    await withClient(t.pool, async (c) => {
      await c.query('BEGIN');
      let err: unknown;
      try {
        await copyOutLines(c, 'COPY (SELECT g FROM generate_series(1, 500000) g) TO STDOUT', (l) => {
          if (l === '10') throw new Error('stop at line 10');
        });
      } catch (e) { err = e; }
      expect((err as Error).message).to.equal('stop at line 10');
      const { rows } = await c.query('SELECT 42 AS answer');
      expect(rows[0].answer).to.equal(42);
      await c.query('COMMIT');
    });
  });
});

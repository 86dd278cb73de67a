import { expect } from 'chai';
import { ThreadPool } from '../../../src/workers/threadPool.ts';

describe('ThreadPool', () => {
  const pool = new ThreadPool(new URL('../../support/threadTasks.ts', import.meta.url), 2);
  after(() => pool.close());

  it('runs an exported function in a thread and returns typed arrays', async () => {
    const r = await pool.run<{ total: number; doubled: Float64Array }>('sum', { values: Float64Array.from([1, 2, 3.5]) });
    expect(r.total).to.equal(6.5);
    expect([...r.doubled]).to.deep.equal([2, 4, 7]);
  });

  it('propagates errors with their message', async () => {
    let err: Error | undefined;
    await pool.run('boom', {}).catch((e) => (err = e));
    expect(err?.message).to.equal('boom in thread');
  });

  it('keeps the event loop free while threads compute', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    await Promise.all([pool.run('spin', { ms: 300 }), pool.run('spin', { ms: 300 }), pool.run('spin', { ms: 300 })]);
    clearInterval(timer);
    expect(ticks).to.be.greaterThan(20);
  });
});

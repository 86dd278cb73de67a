import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../../src/shared/logger.ts';
import { runShutdown } from '../../../src/shared/shutdown.ts';

const log = createLogger('silent', { write: () => undefined });

describe('runShutdown', () => {
  it('runs the steps in order, each told what is left of the deadline', async () => {
    const seen: Array<[string, number]> = [];
    const o = await runShutdown([
      { name: 'a', run: async (ms) => { seen.push(['a', ms]); await sleep(30); } },
      { name: 'b', run: (ms) => { seen.push(['b', ms]); } },
    ], { deadlineMs: 1000, log });
    expect(o).to.deep.include({ clean: true, finished: ['a', 'b'], failed: [] });
    expect(seen.map((x) => x[0])).to.deep.equal(['a', 'b']);
    expect(seen[0][1]).to.be.closeTo(1000, 10);
    expect(seen[1][1]).to.be.at.most(975);
  });

  it('keeps closing after a step throws, and reports it', async () => {
    const o = await runShutdown([
      { name: 'server', run: () => { throw new Error('boom'); } },
      { name: 'pool', run: async () => undefined },
    ], { deadlineMs: 1000, log });
    expect(o).to.deep.include({ clean: false, finished: ['pool'], failed: ['server'] });
  });

  it('returns at the deadline when a step hangs, naming it', async () => {
    const t0 = Date.now();
    const o = await runShutdown([
      { name: 'quick', run: async () => undefined },
      { name: 'stuck', run: () => new Promise<void>(() => undefined) },
    ], { deadlineMs: 150, log });
    expect(Date.now() - t0).to.be.within(140, 400);
    expect(o).to.deep.include({ clean: false, finished: ['quick'], cutShortAt: 'stuck' });
  });

  it('returns at once when interrupted (a second signal)', async () => {
    const t0 = Date.now();
    const o = await runShutdown([{ name: 'slow', run: () => sleep(5000) }], { deadlineMs: 10_000, log }, sleep(50).then(() => 'second SIGTERM'));
    expect(Date.now() - t0).to.be.lessThan(1000);
    expect(o).to.deep.include({ clean: false, cutShortAt: 'slow' });
  });
});

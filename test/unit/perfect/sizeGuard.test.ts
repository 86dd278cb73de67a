import { expect } from 'chai';
import { strategyForSize } from '../../../src/matching/perfect/sizeGuard.ts';
import { STRATEGY_NAMES } from '../../../src/matching/perfect/strategies.ts';

describe('perfect/sizeGuard', () => {
  it('keeps every strategy up to the limit, and with the limit off', () => {
    for (const s of STRATEGY_NAMES) {
      expect(strategyForSize(s, false, 5000, 5000)).to.deep.equal({ strategy: s });
      expect(strategyForSize(s, true, 10_000_000, 0)).to.deep.equal({ strategy: s });
    }
  });
  it('past the limit: blossom becomes greedy on one node set and assignment on two sides', () => {
    expect(strategyForSize('blossom', false, 5001, 5000).strategy).to.equal('greedy');
    expect(strategyForSize('blossom', true, 5001, 5000).strategy).to.equal('assignment');
    expect(strategyForSize('hopcroft-karp', false, 5001, 5000).strategy).to.equal('greedy');
    expect(strategyForSize('blossom', false, 5001, 5000).fallback)
      .to.equal('5001 nodes exceed PERFECT_BLOSSOM_MAX_NODES=5000: ran greedy instead of blossom (at least half the optimum)');
  });
  it('leaves strategies that scale alone, whatever the size', () => {
    for (const s of ['top-k', 'mutual-top-k', 'greedy', 'assignment', 'auction', 'stable'] as const) {
      expect(strategyForSize(s, true, 1e7, 10)).to.deep.equal({ strategy: s });
    }
    expect(strategyForSize('hopcroft-karp', true, 1e7, 10)).to.deep.equal({ strategy: 'hopcroft-karp' });
  });
});

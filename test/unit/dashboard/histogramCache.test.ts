import { expect } from 'chai';
import { HistogramCache } from '../../../dashboard/histogramCache.ts';

const h = (n: number) => ({ counts: [n], lo: 0, hi: 1, outside: 0 });

describe('histogram cache', () => {
  it('reuses an entry while the version matches and it is younger than the TTL', () => {
    const c = new HistogramCache(1000);
    c.set('g', 'v1', h(1), 0);
    expect(c.get('g', 'v1', 999)).to.deep.equal(h(1));
    expect(c.get('g', 'v1', 1000)).to.equal(null);
    expect(c.get('g', 'v2', 10)).to.equal(null);
    expect(c.get('other', 'v1', 10)).to.equal(null);
  });

  it('keeps nothing with TTL 0, and forgets groups no longer listed', () => {
    const off = new HistogramCache(0);
    off.set('g', 'v', h(1), 0);
    expect(off.get('g', 'v', 0)).to.equal(null);
    const c = new HistogramCache(1000);
    c.set('a', 'v', h(1), 0);
    c.set('b', 'v', h(2), 0);
    c.retainOnly(['b']);
    expect(c.get('a', 'v', 1)).to.equal(null);
    expect(c.get('b', 'v', 1)).to.deep.equal(h(2));
  });
});

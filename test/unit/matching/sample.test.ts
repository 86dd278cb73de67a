import { expect } from 'chai';
import { sampleIndices } from '../../../src/matching/sample.ts';

describe('seeded sample of indices', () => {
  it('draws k distinct indices in range, ascending, the same for the same seed', () => {
    const a = sampleIndices(10_000, 200, 42);
    expect(a.length).to.equal(200);
    expect(new Set(a).size).to.equal(200);
    for (let i = 1; i < a.length; i++) expect(a[i]).to.be.greaterThan(a[i - 1]);
    expect(a[0]).to.be.at.least(0);
    expect(a[199]).to.be.below(10_000);
    expect(sampleIndices(10_000, 200, 42)).to.deep.equal(a);
    expect(sampleIndices(10_000, 200, 43)).not.to.deep.equal(a);
    expect(Array.from(sampleIndices(5, 200, 1))).to.deep.equal([0, 1, 2, 3, 4]);
    expect(sampleIndices(0, 200, 1).length).to.equal(0);
  });

  it('spreads over the range', () => {
    const a = sampleIndices(100_000, 2_000, 7);
    const quarters = [0, 0, 0, 0];
    for (const i of a) quarters[Math.floor(i / 25_000)]++;
    for (const q of quarters) expect(q).to.be.within(400, 600);
  });
});

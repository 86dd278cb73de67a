import { expect } from 'chai';
import { NewKeyFilter } from '../../../src/import/newKeyFilter.ts';

describe('NewKeyFilter', () => {
  it('says a key is new only the first time, across growth of its table', () => {
    const f = new NewKeyFilter(1_000_000);
    const keys = Array.from({ length: 20_000 }, (_, i) => `user-${i}`);
    expect(keys.every((k) => f.firstSight(k))).to.equal(true);
    expect(keys.some((k) => f.firstSight(k))).to.equal(false);
    expect(f.size).to.equal(20_000);
    expect(f.firstSight('user-20000')).to.equal(true);
  });

  it('past maxKeys gives up: no key counts as new any more, not even an unseen one', () => {
    const f = new NewKeyFilter(3);
    expect(['a', 'b', 'c'].map((k) => f.firstSight(k))).to.deep.equal([true, true, true]);
    expect(f.firstSight('d')).to.equal(false);
    expect(f.active).to.equal(false);
    expect(f.firstSight('e')).to.equal(false);
    expect(f.firstSight('a')).to.equal(false);
  });

  it('with maxKeys 0 is off', () => {
    const f = new NewKeyFilter(0);
    expect(f.active).to.equal(false);
    expect(f.firstSight('a')).to.equal(false);
  });
});

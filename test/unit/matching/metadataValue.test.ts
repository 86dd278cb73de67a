import { expect } from 'chai';
import { normalizeValue, parseNumeric, readValue } from '../../../src/matching/metadataValue.ts';

describe('metadata value rules', () => {
  it('normalizes case and white space; empty is missing', () => {
    expect(normalizeValue('  New   York ')).to.equal('new york');
    expect(readValue('   ').kind).to.equal('missing');
    expect(readValue(undefined).kind).to.equal('missing');
    expect(readValue(null).kind).to.equal('missing');
  });

  it('reads plain decimal numbers only', () => {
    for (const [raw, x] of [['42', 42], ['-3.5', -3.5], ['+.5', 0.5], ['1e3', 1000], ['7.', 7], [' 08 ', 8]] as const) {
      expect(readValue(raw)).to.include({ kind: 'number', num: x });
    }
    for (const raw of ['0x10', 'inf', 'Infinity', '12 years', '1,000', '1e', '.', '-']) {
      expect(Number.isNaN(parseNumeric(normalizeValue(raw))), raw).to.equal(true);
    }
  });

  it('splits lists on , and ; into distinct normalized items', () => {
    expect(readValue('Python; java,python ,, ')).to.deep.include({ kind: 'multi', items: ['python', 'java'] });
    expect(readValue('python;')).to.deep.include({ kind: 'text', items: ['python'] });
    expect(readValue('12;')).to.deep.include({ kind: 'number', num: 12 });
    expect(readValue(' ; ,').kind).to.equal('missing');
    expect(readValue('a|b', '|')).to.deep.include({ kind: 'multi', items: ['a', 'b'] });
  });
});

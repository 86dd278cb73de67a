import { expect } from 'chai';
import { assertPrintableName, InvalidNameError, nameProblem } from '../../../src/groups/names.ts';
import { validateNodeExchange } from '../../../src/import/nodeExchange.ts';

describe('domain and group names', () => {
  const refused = {
    'a terminal escape code': 'acme\u001b[2J\u001b[31mred',
    'only a zero-width space': '\u200b',
    'a bidirectional override': 'evil\u202egnp.exe',
    'a newline': 'two\nlines',
    'a NUL': 'nul\u0000',
    'a line separator': 'a\u2028b',
    'a private-use character': 'x\ue000',
    'blank': ' \u00a0\u3000 ',
  };

  it('refuses what is not printable text, saying which character and where', () => {
    for (const [what, name] of Object.entries(refused)) {
      expect(nameProblem('group', name), what).to.be.a('string');
    }
    expect(nameProblem('domain', 'acme\u001b[2J')).to.equal('the domain name may hold printable characters only (found U+001B at position 5)');
    expect(nameProblem('group', '\u200b')).to.equal('the group name may hold printable characters only (found U+200B at position 1)');
    expect(() => assertPrintableName('domain', '\u200b')).to.throw(InvalidNameError);
  });

  it('accepts printable text in any script, with punctuation and spaces', () => {
    for (const name of ['acme', 'Mentoring 2025 / Q1', 'ünïcødé 🎉 名前', `x'; DROP TABLE nodes; --`, 'Łódź – «cafés»', 'عربي']) {
      expect(nameProblem('group', name), name).to.equal(null);
    }
  });

  it('the NodeExchange refuses unprintable domain and group ids, naming the field', () => {
    const v = validateNodeExchange({ domainId: '\u200b', groupId: 'g\u001b[0m', referenceIds: ['r'] });
    expect(v.ok).to.equal(false);
    if (v.ok) return;
    expect(v.errors).to.deep.equal([
      "'domainId': the domain name may hold printable characters only (found U+200B at position 1)",
      "'groupId': the group name may hold printable characters only (found U+001B at position 2)",
    ]);
  });
});

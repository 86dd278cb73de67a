import { expect } from 'chai';
import { normalizeHeader, planColumns } from '../../../src/import/headers.ts';
import { ImportInputError } from '../../../src/import/errors.ts';

describe('header normalization', () => {
  it('maps the usual spellings to one key', () => {
    for (const h of ['reference_id', 'Reference ID', 'referenceId', 'REFERENCE-ID', ' reference.id ', '\uFEFFreference_id', 'ReferenceID']) {
      expect(normalizeHeader(h), h).to.equal('reference_id');
    }
    expect(normalizeHeader('XMLHttpRequest')).to.equal('xml_http_request');
    expect(normalizeHeader('Years of Experience (total)')).to.equal('years_of_experience_total');
    expect(normalizeHeader('Città')).to.equal('città');
    expect(normalizeHeader('ｆｕｌｌ width')).to.equal('full_width');
  });

  it('keeps SQL and JSON metacharacters out of keys', () => {
    expect(normalizeHeader(`"; DROP TABLE nodes; --`)).to.equal('drop_table_nodes');
    expect(normalizeHeader(`{"a":1}\\'`)).to.equal('a_1');
    expect(normalizeHeader('$$ || ;')).to.equal('');
  });

  it('plans reference_id, type and metadata columns', () => {
    const p = planColumns(['Type', 'City', 'ReferenceId', 'Skills'], 100);
    expect(p.referenceIdIndex).to.equal(2);
    expect(p.typeIndex).to.equal(0);
    expect(p.metadata.map((m) => [m.index, m.key, m.jsonKey])).to.deep.equal([[1, 'city', '"city":'], [3, 'skills', '"skills":']]);
  });

  it('refuses headers that cannot be imported, saying why', () => {
    const fails = (h: string[], re: RegExp) => expect(() => planColumns(h, 100)).to.throw(ImportInputError, re);
    fails(['id', 'name'], /no reference_id column/);
    fails(['reference_id', 'City', 'city'], /duplicate column name 'city' \(columns 2 and 3/);
    fails(['reference_id', ''], /column 2 of the header has no name/);
    fails(['reference_id', '"; --'], /column 2 of the header has no name/);
    fails(['reference_id', 'x'.repeat(101)], /longer than 100/);
  });
});

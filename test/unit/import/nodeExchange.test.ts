import { expect } from 'chai';
import { importRequestOf, validateNodeExchange } from '../../../src/import/nodeExchange.ts';
import { nodeIdSequence } from '../../../src/import/nodeIds.ts';

describe('NodeExchange', () => {
  it('accepts the seed\'s message and maps it to an import request', () => {
    const v = validateNodeExchange({
      domainId: 'd', groupId: 'g', filePath: 'http://minio:9000/bucket/file.csv.gz', fileName: 'f.csv.gz', contentType: 'application/gzip',
    });
    expect(v.ok).to.equal(true);
    if (!v.ok) return;
    expect(importRequestOf(v.value, 'k'))
      .to.deep.include({ domain: 'd', group: 'g', source: { kind: 's3', url: 'http://minio:9000/bucket/file.csv.gz' }, requestKey: 'k' });
    const refs = validateNodeExchange({ domainId: 'd', groupId: 'g', referenceIds: ['a', 'b'] });
    expect(refs.ok && importRequestOf(refs.value).source).to.deep.equal({ kind: 'references', referenceIds: ['a', 'b'] });
    const local = validateNodeExchange({ domainId: 'd', groupId: 'g', filePath: 'dir/x.csv' });
    expect(local.ok && importRequestOf(local.value).source).to.deep.equal({ kind: 'file', path: 'dir/x.csv' });
  });

  it('lists every problem', () => {
    const v = validateNodeExchange({ groupId: 5, filePath: 'a', referenceIds: ['x', ''], extra: 1 });
    expect(v.ok).to.equal(false);
    if (v.ok) return;
    expect(v.errors).to.deep.equal([
      "unknown field 'extra' (allowed: domainId, groupId, filePath, fileName, contentType, referenceIds, type, requestId)",
      "'domainId' is required",
      "'groupId' must be a string",
      "'referenceIds[1]' must be a non-empty string of at most 255 characters",
      "exactly one of 'filePath' and 'referenceIds' is required",
    ]);
    expect(validateNodeExchange([1]).ok).to.equal(false);
    expect(validateNodeExchange({ domainId: 'd', groupId: 'g' }).ok).to.equal(false);
    expect(validateNodeExchange({ domainId: 'd', groupId: 'g', referenceIds: [] }).ok).to.equal(false);
  });
});

describe('node ids', () => {
  it('are UUID version 7, distinct and increasing within an import', () => {
    const next = nodeIdSequence(Date.UTC(2025, 0, 1));
    const ids = Array.from({ length: 1000 }, next);
    for (const id of ids) expect(id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).to.equal(1000);
    expect([...ids].sort()).to.deep.equal(ids);
    expect(ids[0].slice(0, 13)).to.equal('01941f29-7c00');
    expect(nodeIdSequence()()).not.to.equal(nodeIdSequence()());
  });
});

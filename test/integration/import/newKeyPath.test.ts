// New nodes take a plain INSERT, the rest the UPSERT (src/import/newKeyFilter.ts). Whatever the
// filter decides — on, full part-way through the file, off — the table and the counts must be
// exactly those of the UPSERT alone.
import { expect } from 'chai';
import { createImportFixture, nodesOf, type ImportFixture } from '../../support/importFixture.ts';

const FIRST = 'reference_id,type,v\nkeep,A,1\nchange,A,1\nretype,A,1\n';
// existing keys (unchanged, changed metadata, changed type), new keys, a new key repeated in its
// own batch (n1) and in later batches (n2), at a batch size of 2
const SECOND = 'reference_id,type,v\nkeep,A,1\nn1,B,1\nn1,B,2\nchange,A,2\nn2,B,1\nretype,C,1\nn3,B,1\nn2,B,3\n';

async function importBoth(maxKeys: number | undefined) {
  const fx: ImportFixture = await createImportFixture('newkey', {
    importBatchSize: 2, ...(maxKeys === undefined ? {} : { importNewKeyMaxKeys: maxKeys }),
  });
  try {
    await fx.file('first.csv', FIRST);
    const first = await fx.run({ source: { kind: 'file', path: 'first.csv' } });
    await fx.t.pool.query('UPDATE nodes SET processed = true');
    await fx.file('second.csv', SECOND);
    const second = await fx.run({ source: { kind: 'file', path: 'second.csv' } });
    const refs = await fx.run({ source: { kind: 'references', referenceIds: ['keep', 'r1', 'n3', 'r1'] } });
    const counts = [first, second, refs].map((j) => [j.status, j.totalNodes, j.processedNodes, j.duplicateNodes]);
    const nodes = (await nodesOf(fx, first.groupId)).map((n) => `${n.reference_id}:${n.type}:${n.metadata.v ?? '-'}:${n.processed}`);
    return { counts, nodes };
  } finally {
    await fx.close();
  }
}

describe('import-file: new nodes by plain INSERT, the rest by UPSERT', () => {
  it('leaves the same nodes and counts as the UPSERT alone, with the filter on, full part-way, given up at the start, or off', async () => {
    const expected = {
      counts: [['COMPLETED', 3, 3, 0], ['COMPLETED', 8, 6, 2], ['COMPLETED', 4, 3, 1]],
      nodes: ['change:A:2:false', 'keep:A:1:true', 'n1:B:2:false', 'n2:B:3:false', 'n3:B:1:false', 'r1:null:-:false', 'retype:C:1:false'],
    };
    for (const maxKeys of [undefined, 5, 2, 0]) {
      expect(await importBoth(maxKeys), `IMPORT_NEW_KEY_MAX_KEYS=${maxKeys ?? 'default'}`).to.deep.equal(expected);
    }
  });
});

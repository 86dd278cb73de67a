import { expect } from 'chai';
import { planColumns } from '../../../src/import/headers.ts';
import { stageRecord, stageReference, type RowContext } from '../../../src/import/rowValidation.ts';
import { StagedBatch } from '../../../src/import/stagedBatch.ts';

function ctx(headers: string[], over: Partial<RowContext['rules']> = {}): RowContext {
  let n = 0;
  return {
    plan: planColumns(headers, 100),
    rules: { maxValueLength: 10, defaultType: null, maxRecordedFailures: 100, ...over },
    nextId: () => `id${n++}`,
    recordedFailures: 0,
  };
}

const lines = (b: StagedBatch) => b.nodeChunks().join('').split('\n').filter(Boolean);

describe('row validation', () => {
  it('stages a good row as COPY text with metadata JSON, skipping empty values', () => {
    const b = new StagedBatch(5);
    stageRecord([' r1 ', 'T', 'a\tb', '', 'x"y\\z'], 1, ctx(['reference_id', 'type', 'k1', 'k2', 'k3']), b);
    expect(lines(b)).to.deep.equal(['1\tid0\tr1\tT\t{"k1":"a\\\\tb","k3":"x\\\\"y\\\\\\\\z"}\tf']);
    expect(b.idSample).to.deep.equal(['r1']);
  });

  it('uses the default type when there is no type column or the cell is empty', () => {
    const b = new StagedBatch();
    stageRecord(['r1', 'v'], 1, ctx(['reference_id', 'k'], { defaultType: 'DEF' }), b);
    stageRecord(['r2', '', 'v'], 2, ctx(['reference_id', 'type', 'k'], { defaultType: 'DEF' }), b);
    stageRecord(['r3', '', 'v'], 3, ctx(['reference_id', 'type', 'k']), b);
    expect(lines(b).map((l) => l.split('\t')[3])).to.deep.equal(['DEF', 'DEF', '\\N']);
  });

  it('rejects with a reason: column count, missing id, bad characters, lengths', () => {
    const c = ctx(['reference_id', 'type', 'k']);
    const b = new StagedBatch();
    stageRecord(['r1', 'T'], 1, c, b);
    stageRecord(['  ', 'T', 'v'], 2, c, b);
    stageRecord(['r\uFFFD', 'T', 'v'], 3, c, b);
    stageRecord(['r4', 'T', 'v\u0000'], 4, c, b);
    stageRecord(['r5', 'T', 'v'.repeat(11)], 5, c, b);
    stageRecord(['r6', 'T'.repeat(51), 'v'], 6, c, b);
    stageRecord(['r'.repeat(256), 'T', 'v'], 7, c, b);
    stageRecord(['😀'.repeat(255), 'T', '😀'.repeat(10)], 8, c, b);
    expect(b.rows).to.equal(1);
    expect(b.failed.map((f) => [f.rowNumber, f.referenceId, f.reason])).to.deep.equal([
      [1, 'r1', 'expected 3 columns, found 2'],
      [2, null, 'missing reference_id'],
      [3, null, 'invalid UTF-8 in column reference_id'],
      [4, 'r4', 'NUL character in column k'],
      [5, 'r5', 'value of column k longer than 10 characters'],
      [6, 'r6', 'type longer than 50 characters'],
      [7, 'r'.repeat(255), 'reference_id longer than 255 characters'],
    ]);
  });

  it('counts but does not record failures past the cap', () => {
    const c = ctx(['reference_id', 'k'], { maxRecordedFailures: 2 });
    const b = new StagedBatch();
    for (let i = 0; i < 5; i++) stageRecord(['', 'v'], i + 1, c, b);
    expect([b.failed.length, b.unrecordedFailures, b.failures]).to.deep.equal([2, 3, 5]);
  });

  it('stages reference ids with no metadata', () => {
    const c = ctx(['reference_id'], { defaultType: 'M' });
    const b = new StagedBatch();
    stageReference('a', 1, c, b);
    stageReference(7, 2, c, b);
    stageReference(' ', 3, c, b);
    expect(lines(b)).to.deep.equal(['1\tid0\ta\tM\t\\N\tf']);
    expect(b.failed.map((f) => f.reason)).to.deep.equal(['reference id is not a string', 'missing reference_id']);
  });
});

import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import { csvBatches, type CsvOptions } from '../../../src/import/csvBatches.ts';
import { decodedBytes, type ByteCounts } from '../../../src/import/decompress.ts';
import { ImportInputError } from '../../../src/import/errors.ts';
import type { StagedBatch } from '../../../src/import/stagedBatch.ts';

const OPTS: CsvOptions = {
  batchSize: 2, maxRecordSize: 1024, maxValueLength: 100, defaultType: null, maxRecordedFailures: 100, nextId: () => 'id', sampleCap: 10,
};

async function* chunks(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function collect(data: string | Buffer, opts: Partial<CsvOptions> = {}, chunkSize = 7): Promise<StagedBatch[]> {
  const out: StagedBatch[] = [];
  const counts: ByteCounts = { read: 0, decoded: 0, gzip: false };
  for await (const b of csvBatches(decodedBytes(chunks(Buffer.from(data), chunkSize), counts, 200), { ...OPTS, ...opts })) out.push(b);
  return out;
}

const ids = (bs: StagedBatch[]) => bs.flatMap((b) => b.nodeChunks().join('').split('\n').filter(Boolean).map((l) => l.split('\t').slice(0, 3).join(' ')));

describe('csvBatches', () => {
  it('streams records into batches of at least batchSize rows, numbering data rows from 1, across chunk boundaries', async () => {
    const bs = await collect('reference_id,k\na,1\nb,"x\ny"\n\nc,3\nd,4\ne,5\n');
    expect(bs.length).to.be.greaterThan(1);
    for (const b of bs.slice(0, -1)) expect(b.rows).to.be.at.least(2);
    expect(ids(bs)).to.deep.equal(['1 id a', '2 id b', '3 id c', '4 id d', '5 id e']);
  });

  it('handles a BOM, CRLF and gzip the same as plain text', async () => {
    const text = '\uFEFFreference_id,k\r\na,1\r\nb,2\r\n';
    expect(ids(await collect(text))).to.deep.equal(['1 id a', '2 id b']);
    expect(ids(await collect(gzipSync(text), {}, 5))).to.deep.equal(['1 id a', '2 id b']);
  });

  it('fails the import for an empty file, a missing header, a syntax error, a runaway record', async () => {
    const fails = async (data: string | Buffer, re: RegExp) => {
      let err: unknown;
      try { await collect(data); } catch (e) { err = e; }
      expect(err, String(data).slice(0, 30)).to.be.instanceOf(ImportInputError);
      expect((err as Error).message).to.match(re);
    };
    await fails('', /empty: no header/);
    await fails('\n\n', /empty: no header/);
    await fails('a1,london\na2,paris\n', /no reference_id column/);
    await fails('reference_id,k\na,"open\nb,2\n', /CSV syntax error: Quote Not Closed/);
    await fails(`reference_id,k\na,${'x'.repeat(2000)}\n`, /CSV record too large/);
    await fails(Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x0a, 0x41]), /not UTF-8 text/);
  });

  it('keeps stray quotes inside a field literally (relax_quotes)', async () => {
    const bs = await collect('reference_id,height,q\na,5\'10","x"y\n');
    expect(bs[0].nodeChunks().join('')).to.contain('"height":"5\'10\\\\"","q":"\\\\"x\\\\"y"');
  });
});

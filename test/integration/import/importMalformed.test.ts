// The malformed-input corpus of issue 3: each input gives a clear error (or, for the inputs that
// are valid after all, a clean import) and never leaves partial garbage behind.
import { expect } from 'chai';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { seededRandom } from '../../../src/synthetic/random.ts';
import { JOB } from '../../../src/shared/queues.ts';
import { createImportFixture, failedRowsOf, nodesOf, type ImportFixture } from '../../support/importFixture.ts';

const GOOD = 'reference_id,city\nok1,rome\nok2,oslo\n';
const MiB = 1 << 20;

function junk(bytes: number, seed: number): Buffer {
  const rnd = seededRandom(seed);
  const b = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) b[i] = Math.floor(rnd() * 256);
  return b;
}

interface Case {
  name: string;
  file: string;
  content: () => string | Buffer;
  /** expected job-level failure; absent: the import must complete */
  error?: RegExp;
}

const FAILING: Case[] = [
  {
    name: 'truncated gzip', file: 'trunc.csv.gz', error: /gzip stream is truncated or corrupt/,
    content: () => { const z = gzipSync(GOOD.repeat(200)); return z.subarray(0, z.length - 20); },
  },
  {
    name: 'gzip with a corrupted body', file: 'corrupt.gz', error: /gzip stream is truncated or corrupt|CSV|column/,
    content: () => { const z = Buffer.from(gzipSync(GOOD.repeat(50))); z[20] ^= 0xff; z[21] ^= 0xff; return z; },
  },
  {
    name: 'gzip bomb of blank lines', file: 'bomb.csv.gz', error: /gzip bomb/,
    content: () => Buffer.concat([gzipSync('reference_id,city\n'), gzipSync(Buffer.alloc(64 * MiB, 0x0a))]),
  },
  {
    name: 'gzip bomb of zero bytes', file: 'zeros.gz', error: /gzip bomb|CSV record too large|not UTF-8 text/,
    content: () => gzipSync(Buffer.alloc(64 * MiB)),
  },
  { name: 'binary junk', file: 'junk.bin', content: () => junk(200_000, 7), error: /not UTF-8 text|CSV|no reference_id|header/ },
  { name: 'UTF-16 text without a byte order mark', file: 'utf16.csv', content: () => Buffer.from(GOOD, 'utf16le'), error: /not UTF-8 text/ },
  { name: 'unbalanced quotes after good rows', file: 'quotes.csv', content: () => `${GOOD}ok3,"rome\nok4,oslo\n`, error: /Quote Not Closed/ },
  { name: 'a 10 MB field', file: 'bigfield.csv', content: () => `${GOOD}ok3,${'x'.repeat(10 * MiB)}\nok4,oslo\n`, error: /CSV record too large/ },
  { name: 'no header line', file: 'noheader.csv', content: () => 'ok1,rome\nok2,oslo\n', error: /no reference_id column/ },
  { name: 'duplicate column names', file: 'dupcols.csv', content: () => 'reference_id,City,city\nok1,a,b\n', error: /duplicate column name 'city'/ },
  { name: 'a header column without a name', file: 'emptycol.csv', content: () => 'reference_id,,city\nok1,a,b\n', error: /has no name/ },
  { name: 'an empty file', file: 'empty.csv', content: () => '', error: /empty: no header/ },
  { name: 'blank lines only', file: 'blank.csv', content: () => '\n\n\n', error: /empty: no header/ },
];

const PASSING: Array<Case & { check: (fx: ImportFixture, groupId: string) => Promise<unknown> }> = [
  {
    name: 'a UTF-8 BOM', file: 'bom.csv', content: () => `\uFEFF${GOOD}`,
    check: async (fx, g) => expect((await nodesOf(fx, g)).map((n) => n.reference_id)).to.deep.equal(['ok1', 'ok2']),
  },
  {
    name: 'CRLF line ends (and a quoted CRLF inside a value)', file: 'crlf.csv', content: () => 'reference_id,city\r\nok1,rome\r\nok2,"two\r\nlines"\r\n',
    check: async (fx, g) => expect((await nodesOf(fx, g)).map((n) => n.metadata.city)).to.deep.equal(['rome', 'two\r\nlines']),
  },
  {
    name: 'SQL and JSON metacharacters in keys and values', file: 'meta.csv',
    content: () => [
      'reference_id,"""; DROP TABLE nodes; --","{""a"":1}","back\\slash",\'quote\'',
      `"x'); DELETE FROM nodes; --","{""k"": [1,2]}","\\N","tab\there","a\\\\b\\u0000"`,
      '"r2","$$;$$","\\.","}{",\'\'',
    ].join('\n') + '\n',
    check: async (fx, g) => {
      const nodes = await nodesOf(fx, g);
      expect(nodes.map((n) => [n.reference_id, n.metadata])).to.deep.equal([
        ['r2', { drop_table_nodes: '$$;$$', a_1: '\\.', back_slash: '}{', quote: "''" }],
        ["x'); DELETE FROM nodes; --", { drop_table_nodes: '{"k": [1,2]}', a_1: '\\N', back_slash: 'tab\there', quote: 'a\\\\b\\u0000' }],
      ]);
    },
  },
  {
    name: 'UTF-16LE with its byte order mark (csv-parse decodes it)', file: 'utf16bom.csv',
    content: () => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(GOOD, 'utf16le')]),
    check: async (fx, g) => expect((await nodesOf(fx, g)).map((n) => n.metadata.city)).to.deep.equal(['rome', 'oslo']),
  },
  {
    name: 'a header and no rows', file: 'headeronly.csv', content: () => 'reference_id,city\n',
    check: async (fx, g) => expect(await nodesOf(fx, g)).to.deep.equal([]),
  },
];

describe('import-file: malformed inputs', function () {
  let fx: ImportFixture;
  before(async () => { fx = await createImportFixture('impbad'); });
  after(async () => { await fx.close(); });

  const nodeCount = async () => (await fx.t.pool.query('SELECT count(*)::int AS n FROM nodes')).rows[0].n as number;

  for (const c of FAILING) {
    it(`${c.name}: FAILED with a clear reason, nothing imported, no retries`, async () => {
      const before = await nodeCount();
      await fx.file(c.file, c.content());
      const job = await fx.run({ source: { kind: 'file', path: c.file }, group: c.file });
      expect(job.status, job.failureReason ?? '').to.equal('FAILED');
      expect(job.failureReason).to.match(c.error!);
      expect(await nodeCount()).to.equal(before);
      expect(await failedRowsOf(fx, job.id)).to.deep.equal([]);
      expect((await fx.queue.getJob(job.id))?.attemptsMade).to.equal(1);
    });
  }

  for (const c of PASSING) {
    it(`${c.name}: imported exactly`, async () => {
      await fx.file(c.file, c.content());
      const job = await fx.run({ source: { kind: 'file', path: c.file }, group: c.file });
      expect(job.status, job.failureReason ?? '').to.equal('COMPLETED');
      await c.check(fx, job.groupId);
    });
  }

  describe('paths outside the import root', () => {
    const outside = ['../escape.csv', '/etc/passwd', 'sub/../../escape.csv', `${'../'.repeat(20)}etc/hostname`];
    for (const path of outside) {
      it(`refuses ${path} when enqueued`, async () => {
        let err: Error | undefined;
        try { await fx.enqueue({ source: { kind: 'file', path } }); } catch (e) { err = e as Error; }
        expect(err?.message).to.match(/outside the import root/);
      });
    }

    it('refuses them in the worker too (a job that skipped the producer check), and a symbolic link pointing out', async () => {
      const outsideFile = join(fx.root, '..', `mf-outside-${process.pid}.csv`);
      await writeFile(outsideFile, GOOD);
      await mkdir(join(fx.root, 'sub'), { recursive: true });
      await symlink(outsideFile, join(fx.root, 'sub', 'link.csv'));
      const { rows } = await fx.t.pool.query<{ id: string; group_id: string; domain_id: string }>(
        `INSERT INTO nodes_import_job (group_id, domain_id, status)
         SELECT g.id, g.domain_id, 'PENDING' FROM matching_groups g LIMIT 1 RETURNING id, group_id, domain_id`);
      const base = rows[0];
      const reasons: string[] = [];
      for (const path of ['../escape.csv', '/etc/passwd', 'sub/link.csv', 'missing.csv', 'sub']) {
        const { rows: [job] } = await fx.t.pool.query<{ id: string }>(
          `INSERT INTO nodes_import_job (group_id, domain_id, status) VALUES ($1, $2, 'PENDING') RETURNING id`, [base.group_id, base.domain_id]);
        const payload = { importJobId: job.id, groupId: base.group_id, domainId: base.domain_id, source: { kind: 'file', path } };
        await fx.queue.add(JOB.importFile, payload, { jobId: job.id });
        const done = await fx.wait(job.id);
        expect(done.status).to.equal('FAILED');
        reasons.push(done.failureReason!);
      }
      expect(reasons[0]).to.match(/outside the import root/);
      expect(reasons[1]).to.match(/outside the import root/);
      expect(reasons[2]).to.match(/'sub\/link.csv' is outside the import root/);
      // the client learns nothing about the server: neither where the root is nor where a link points
      for (const r of reasons) expect(r).not.to.contain(fx.root).and.not.to.contain('mf-outside-').and.not.to.contain('IMPORT_ROOT');
      expect(reasons[3]).to.match(/no such file/);
      expect(reasons[4]).to.match(/not a regular file/);
      await rm(outsideFile, { force: true });
    });
  });
});

import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import { createImportFixture, nodesOf, type ImportFixture } from '../../support/importFixture.ts';
import { startS3Server, type S3Server } from '../../support/s3Server.ts';

const CSV = 'reference_id,type,city\ns1,A,oslo\ns2,B,lima\n';

describe('import-file: MinIO/S3 objects (s3rver)', () => {
  let s3: S3Server;
  let fx: ImportFixture;
  before(async () => { s3 = await startS3Server(); });
  after(async () => { await s3.close(); });
  beforeEach(async () => {
    fx = await createImportFixture('imps3', { s3Endpoint: s3.endpoint, s3AccessKey: s3.accessKey, s3SecretKey: s3.secretKey });
  });
  afterEach(async () => { await fx.close(); });

  it('imports plain and gzip CSV by s3://bucket/key and by the seeds\' http://host:port/bucket/key', async () => {
    await s3.put('in/plain.csv', CSV);
    await s3.put('in/zipped file.csv.gz', gzipSync(CSV.replace(/s(\d)/g, 'z$1')));
    const a = await fx.run({ source: { kind: 's3', url: `s3://${s3.bucket}/in/plain.csv` } });
    const b = await fx.run({ source: { kind: 's3', url: `${s3.endpoint}/${s3.bucket}/in/zipped%20file.csv.gz` } });
    expect([a.status, b.status]).to.deep.equal(['COMPLETED', 'COMPLETED']);
    const nodes = await nodesOf(fx, a.groupId);
    expect(nodes.map((n) => `${n.reference_id}:${n.type}:${n.metadata.city}`)).to.deep.equal(['s1:A:oslo', 's2:B:lima', 'z1:A:oslo', 'z2:B:lima']);
    expect(a.source).to.equal(`s3://${s3.bucket}/in/plain.csv`);
  });

  it('fails at once, without retries, for a missing object', async () => {
    const job = await fx.run({ source: { kind: 's3', url: `s3://${s3.bucket}/nope.csv` } });
    expect(job.status).to.equal('FAILED');
    expect(job.failureReason).to.match(/NoSuchKey|NotFound/);
    const bull = await fx.queue.getJob(job.id);
    expect(bull?.attemptsMade).to.equal(1);
  });

  it('refuses an http URL on any host but the configured endpoint', async () => {
    let err: Error | undefined;
    try {
      await fx.enqueue({ source: { kind: 's3', url: `http://169.254.169.254:80/${s3.bucket}/x.csv` } });
    } catch (e) { err = e as Error; }
    expect(err?.message).to.match(/is not the object store of this service/);
  });
});

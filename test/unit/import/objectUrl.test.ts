import { expect } from 'chai';
import { loadConfig } from '../../../src/shared/config.ts';
import { ImportInputError } from '../../../src/import/errors.ts';
import { parseObjectUrl } from '../../../src/import/s3Object.ts';

const cfg = loadConfig({ S3_ENDPOINT: 'http://minio:9000' });
const refusal = (c: typeof cfg, url: string): ImportInputError | undefined => {
  try {
    parseObjectUrl(c, url);
    return undefined;
  } catch (err) {
    return err as ImportInputError;
  }
};

describe('object URLs of import requests', () => {
  it('splits s3://bucket/key and the endpoint form into bucket and key', () => {
    expect(parseObjectUrl(cfg, 's3://people/2025/a%20b.csv')).to.deep.equal({ bucket: 'people', key: '2025/a b.csv' });
    expect(parseObjectUrl(cfg, 'http://minio:9000/people/x.csv.gz')).to.deep.equal({ bucket: 'people', key: 'x.csv.gz' });
  });

  it('refuses URLs that carry credentials, without repeating them', () => {
    for (const url of ['http://user:pass@minio:9000/b/k', 'http://:pass@minio:9000/b/k', 'http://user@minio:9000/b/k', 's3://AKIA:secret@b/k']) {
      const err = refusal(cfg, url);
      expect(err?.code, url).to.equal('s3_url_credentials');
      expect(err?.message).not.to.contain(':pass@').and.not.to.contain('secret').and.not.to.contain('user@');
    }
  });

  it('takes any bucket by default, and only the listed ones with S3_ALLOWED_BUCKETS', () => {
    const allowList = loadConfig({ S3_ENDPOINT: 'http://minio:9000', S3_ALLOWED_BUCKETS: 'people, imports' });
    expect(allowList.s3AllowedBuckets).to.deep.equal(['people', 'imports']);
    expect(parseObjectUrl(allowList, 's3://imports/k.csv').bucket).to.equal('imports');
    expect(parseObjectUrl(allowList, 'http://minio:9000/people/k.csv').bucket).to.equal('people');
    for (const url of ['s3://secrets/k.csv', 'http://minio:9000/other/k.csv', 's3://people%00/k.csv']) {
      expect(refusal(allowList, url)?.code, url).to.equal('s3_bucket_not_allowed');
    }
    expect(parseObjectUrl(cfg, 's3://secrets/k.csv').bucket).to.equal('secrets');
  });
});

// MinIO/S3 sources: `s3://bucket/key` on the configured endpoint, and the seeds' form
// `http://host:port/bucket/key`, accepted only when host:port is the configured endpoint, so that
// an import request cannot make workers fetch from arbitrary hosts; without credentials in the URL,
// and from the buckets of S3_ALLOWED_BUCKETS when it is set.
import type { Readable } from 'node:stream';
import { Client } from 'minio';
import type { Config } from '../shared/config.ts';
import { ImportInputError } from './errors.ts';
import { quoted } from '../shared/problemSummary.ts';

export interface S3Location {
  bucket: string;
  key: string;
}

function endpointOf(cfg: Config): URL {
  if (!cfg.s3Endpoint) throw new ImportInputError('s3_disabled', 'object store sources are not enabled', 'S3_ENDPOINT is not set');
  try {
    return new URL(cfg.s3Endpoint);
  } catch {
    throw new ImportInputError('s3_endpoint_invalid', 'the object store is not configured correctly', `S3_ENDPOINT=${cfg.s3Endpoint} is not a URL`);
  }
}

const defaultPort = (u: URL): string => u.port || (u.protocol === 'https:' ? '443' : '80');

/** True for the URL forms this module reads. */
export function isObjectUrl(s: string): boolean {
  return /^(s3|https?):\/\//i.test(s);
}

/** Splits an object URL into bucket and key; throws ImportInputError for anything else. */
export function parseObjectUrl(cfg: Config, url: string): S3Location {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ImportInputError('s3_url_invalid', 'the object URL is not a valid URL');
  }
  // Credentials belong in S3_ACCESS_KEY / S3_SECRET_KEY; in a URL they would be stored and logged with the request.
  if (u.username || u.password) throw new ImportInputError('s3_url_credentials', 'object URLs must not carry credentials (user:password@)');
  let bucket: string;
  let keyPath: string;
  if (u.protocol === 's3:') {
    bucket = u.hostname;
    keyPath = u.pathname.replace(/^\//, '');
  } else if (u.protocol === 'http:' || u.protocol === 'https:') {
    const ep = endpointOf(cfg);
    if (u.protocol !== ep.protocol || u.hostname !== ep.hostname || defaultPort(u) !== defaultPort(ep)) {
      throw new ImportInputError('s3_host_not_allowed', `${u.origin} is not the object store of this service`,
        `the object store is ${ep.origin} (S3_ENDPOINT)`);
    }
    const [first, ...rest] = u.pathname.replace(/^\//, '').split('/');
    bucket = first;
    keyPath = rest.join('/');
  } else {
    throw new ImportInputError('s3_url_invalid', `unsupported URL scheme ${quoted(u.protocol)}`);
  }
  let key: string;
  try {
    bucket = decodeURIComponent(bucket);
    key = decodeURIComponent(keyPath);
  } catch {
    throw new ImportInputError('s3_url_invalid', 'the object URL has malformed percent-encoding');
  }
  if (!bucket || !key) throw new ImportInputError('s3_url_invalid', 'expected s3://bucket/key or <object store>/bucket/key');
  if (cfg.s3AllowedBuckets.length && !cfg.s3AllowedBuckets.includes(bucket)) {
    throw new ImportInputError('s3_bucket_not_allowed', `bucket ${quoted(bucket)} is not one this service imports from`, 'see S3_ALLOWED_BUCKETS');
  }
  return { bucket, key };
}

export function s3Client(cfg: Config): Client {
  const ep = endpointOf(cfg);
  return new Client({
    endPoint: ep.hostname,
    port: Number(defaultPort(ep)),
    useSSL: ep.protocol === 'https:',
    accessKey: cfg.s3AccessKey,
    secretKey: cfg.s3SecretKey,
    region: cfg.s3Region,
    pathStyle: true,
  });
}

/** S3 error codes that no retry will cure. */
const PERMANENT = new Set(['NoSuchKey', 'NoSuchBucket', 'NotFound', 'AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidBucketName']);

export async function openObject(cfg: Config, url: string): Promise<{ stream: Readable; size: number; loc: S3Location }> {
  const loc = parseObjectUrl(cfg, url);
  const client = s3Client(cfg);
  try {
    const stat = await client.statObject(loc.bucket, loc.key);
    const stream = await client.getObject(loc.bucket, loc.key);
    return { stream, size: stat.size, loc };
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (PERMANENT.has(code)) {
      const object = quoted(`${loc.bucket}/${loc.key}`, 200);
      throw new ImportInputError('s3_object_unavailable', `the object ${object} cannot be read (${code})`, (err as Error).message);
    }
    throw err;
  }
}

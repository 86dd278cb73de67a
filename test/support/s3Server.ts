// An S3 protocol server for tests: s3rver on 127.0.0.1, a random port, a temporary directory.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { Client } from 'minio';

export interface S3Server {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  bucket: string;
  client: Client;
  put(key: string, data: Buffer | string): Promise<void>;
  close(): Promise<void>;
}

// s3rver's one account
const KEY = 'S3RVER';

export async function startS3Server(bucket = 'imports'): Promise<S3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'mf-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  const client = new Client({ endPoint: '127.0.0.1', port, useSSL: false, accessKey: KEY, secretKey: KEY, region: 'us-east-1', pathStyle: true });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    accessKey: KEY,
    secretKey: KEY,
    bucket,
    client,
    async put(key, data) {
      await client.putObject(bucket, key, typeof data === 'string' ? Buffer.from(data) : data);
    },
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

// Transparent gzip: the first two bytes decide (1f 8b), whatever the file is called. The inflated
// stream is watched for a gzip bomb (far more output than any CSV gives for its compressed size)
// and a corrupt or truncated stream becomes an ImportInputError.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ImportInputError } from './errors.ts';

export interface ByteCounts {
  /** bytes read from the source (compressed when gzip) */
  read: number;
  /** bytes after decompression */
  decoded: number;
  gzip: boolean;
}

// The ratio is checked only past this much output: a tiny file of repeated lines may inflate far
// more than the ratio while costing nothing.
const RATIO_CHECK_FROM_BYTES = 16 << 20;

const isGzip = (b: Buffer): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** Yields the source's bytes, gunzipped when they are gzip; counts both sides into `counts`. */
export async function* decodedBytes(
  source: AsyncIterable<Buffer>, counts: ByteCounts, maxInflateRatio: number,
): AsyncGenerator<Buffer> {
  const it = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headLength = 0;
  while (headLength < 2) {
    const r = await it.next();
    if (r.done) break;
    head.push(r.value);
    headLength += r.value.length;
  }
  const first = Buffer.concat(head);
  async function* raw(): AsyncGenerator<Buffer> {
    counts.read += first.length;
    if (first.length) yield first;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      counts.read += r.value.length;
      yield r.value;
    }
  }
  if (!isGzip(first)) {
    for await (const chunk of raw()) {
      counts.decoded += chunk.length;
      yield chunk;
    }
    return;
  }
  counts.gzip = true;
  const gunzip = createGunzip();
  // Errors of the source or of zlib surface through the iteration of gunzip below.
  const feeding = pipeline(Readable.from(raw()), gunzip).catch(() => undefined);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      counts.decoded += chunk.length;
      if (counts.decoded > RATIO_CHECK_FROM_BYTES && counts.decoded > maxInflateRatio * counts.read) {
        throw new ImportInputError('gzip_bomb',
          `gzip stream inflates more than ${maxInflateRatio}× (${counts.read} bytes gave over ${counts.decoded}); ` +
          'refusing a likely gzip bomb', 'the limit is IMPORT_MAX_INFLATE_RATIO');
      }
      yield chunk;
    }
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('Z_') || code === 'ERR_ZLIB_INITIALIZATION_FAILED') {
      throw new ImportInputError('gzip_corrupt', `the gzip stream is truncated or corrupt: ${(err as Error).message}`);
    }
    throw err;
  } finally {
    gunzip.destroy();
    await feeding;
  }
}

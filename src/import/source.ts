// Opens the bytes of an import source: a confined local file or a MinIO/S3 object.
import type { Config } from '../shared/config.ts';
import type { ImportSource } from '../shared/queues.ts';
import { openConfined } from './localPath.ts';
import { openObject } from './s3Object.ts';

export interface OpenedSource {
  bytes: AsyncIterable<Buffer>;
  /** size in bytes as stored (compressed when gzip), for progress */
  size: number;
  close(): Promise<void>;
}

export async function openSource(cfg: Config, source: Exclude<ImportSource, { kind: 'references' }>): Promise<OpenedSource> {
  if (source.kind === 'file') {
    const { handle, size } = await openConfined(cfg.importRoot, source.path);
    const stream = handle.createReadStream({ highWaterMark: 1 << 20 });
    return { bytes: stream, size, close: async () => { stream.destroy(); await handle.close().catch(() => undefined); } };
  }
  const { stream, size } = await openObject(cfg, source.url);
  return { bytes: stream, size, close: async () => { stream.destroy(); } };
}

/** A short human-readable description stored in nodes_import_job.source. */
export function describeSource(source: ImportSource): string {
  switch (source.kind) {
    case 'file': return source.path;
    case 's3': return source.url;
    case 'references': return `reference list (${source.referenceIds.length} ids)`;
  }
}

// COPY FROM STDIN helpers. pg-copy-streams is slow when fed many tiny writes
// (node-pg-copy-streams #127), so rows are joined into large chunks before each write.
import { once } from 'node:events';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type { PoolClient } from './db.ts';

const CHUNK_BYTES = 1 << 20;

/** Escapes one value for COPY's text format; null becomes \N. */
export function copyField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v !== 'string') return String(v);
  return /[\\\t\n\r]/.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : v;
}

/** One COPY text line (with its newline) from field values. */
export function copyLine(fields: ReadonlyArray<string | number | boolean | null | undefined>): string {
  let out = '';
  for (let i = 0; i < fields.length; i++) out += (i ? '\t' : '') + copyField(fields[i]);
  return out + '\n';
}

/**
 * Streams text lines into `COPY <target> FROM STDIN` on the given client, in ~1 MiB writes,
 * honouring back-pressure. Returns the row count PostgreSQL reports.
 */
export function copyLines(
  client: PoolClient,
  copySql: string,
  lines: Iterable<string> | AsyncIterable<string>,
): Promise<number> {
  return copyChunks(client, copySql, (async function* () {
    let buf = '';
    for await (const line of lines) {
      buf += line;
      if (buf.length >= CHUNK_BYTES) {
        yield buf;
        buf = '';
      }
    }
    if (buf) yield buf;
  })());
}

/**
 * Streams ready-made COPY text chunks, in order, into `COPY <target> FROM STDIN`, honouring
 * back-pressure; for callers that build the text in large pieces themselves.
 */
export async function copyChunks(
  client: PoolClient,
  copySql: string,
  chunks: Iterable<string | Buffer> | AsyncIterable<string | Buffer>,
): Promise<number> {
  const stream = client.query(copyFrom(copySql));
  const done = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  try {
    for await (const chunk of chunks) {
      if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), done]);
    }
    stream.end();
  } catch (err) {
    stream.destroy(err as Error);
    await done.catch(() => undefined);
    throw err;
  }
  await done;
  return Number(stream.rowCount ?? 0);
}

/** Undoes COPY text-format escaping of one field (\N is handled by the caller). */
export function unescapeCopyField(v: string): string {
  if (!v.includes('\\')) return v;
  return v.replace(/\\(.)/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}

/**
 * Runs `COPY (…) TO STDOUT` and calls onLine for each text line (without its newline), reading
 * the stream in chunks: far cheaper than a row-per-message cursor for millions of rows. When
 * onLine returns a promise, reading waits for it (back-pressure for spilling consumers).
 */
export async function copyOutLines(
  client: PoolClient,
  copySql: string,
  onLine: (line: string) => void | Promise<void>,
): Promise<number> {
  const stream = client.query(copyTo(copySql));
  let rest = '';
  let lines = 0;
  // When onLine throws, the rest of the COPY is still read (and discarded): a COPY TO left
  // half-read keeps its connection busy for ever, so the caller's next query (ROLLBACK, or the
  // pool's next user) would hang.
  let failure: { err: unknown } | undefined;
  stream.setEncoding('utf8');
  for await (const chunk of stream as AsyncIterable<string>) {
    if (failure) continue;
    try {
      const text = rest + chunk;
      let start = 0;
      let nl = text.indexOf('\n', start);
      while (nl >= 0) {
        const pending = onLine(text.slice(start, nl));
        if (pending) await pending;
        lines++;
        start = nl + 1;
        nl = text.indexOf('\n', start);
      }
      rest = text.slice(start);
    } catch (err) {
      failure = { err };
    }
  }
  if (failure) throw failure.err;
  if (rest) {
    await onLine(rest);
    lines++;
  }
  return lines;
}

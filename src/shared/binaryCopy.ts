// Rows in PostgreSQL's binary COPY format (COPY … FROM STDIN (FORMAT binary)), built into ~1 MiB
// chunks for copyChunks. For wide row counts of numbers and ids this is the cheap form on both
// ends: no number → text → number round trip (a double formatted as text costs ~1 µs in V8 and a
// strtod in PostgreSQL), no escaping, and fewer bytes.
// Layout: signature, flags (int32 0), header extension length (int32 0); per row the field count
// (int16) and per field its byte length (int32) and bytes, big-endian; then int16 -1.

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const DEFAULT_CHUNK_BYTES = 1 << 20;
const SHORT_TEXT = 64;

export class BinaryCopyRows {
  private readonly chunks: Buffer[] = [];
  private buf: Buffer;
  private pos = 0;

  constructor(private readonly chunkBytes = DEFAULT_CHUNK_BYTES) {
    this.buf = Buffer.allocUnsafe(chunkBytes);
    SIGNATURE.copy(this.buf, 0);
    this.buf.writeInt32BE(0, SIGNATURE.length);
    this.buf.writeInt32BE(0, SIGNATURE.length + 4);
    this.pos = SIGNATURE.length + 8;
  }

  /** Starts a row of `fields` fields; `maxBytes` bounds the row's encoded size. */
  row(fields: number, maxBytes: number): this {
    this.reserve(2 + maxBytes);
    this.pos = this.buf.writeInt16BE(fields, this.pos);
    return this;
  }

  /** a uuid from its 16 bytes */
  uuid(bytes: Uint8Array): this {
    if (bytes.length !== 16) throw new Error(`a uuid is 16 bytes, not ${bytes.length}`);
    this.pos = this.buf.writeInt32BE(16, this.pos);
    this.buf.set(bytes, this.pos);
    this.pos += 16;
    return this;
  }

  /** text / varchar, as UTF-8 (at most 3 bytes per UTF-16 unit: reserve that in `row`) */
  text(s: string): this {
    const start = this.pos + 4;
    let n = 0;
    // Short ASCII strings (ids, mostly) byte by byte: Buffer#write costs a native call each, which
    // was the largest part of encoding a page of matches.
    if (s.length <= SHORT_TEXT) {
      const buf = this.buf;
      for (; n < s.length; n++) {
        const c = s.charCodeAt(n);
        if (c > 0x7f) break;
        buf[start + n] = c;
      }
    }
    if (n < s.length) n = this.buf.write(s, start, 'utf8');
    this.buf.writeInt32BE(n, this.pos);
    this.pos = start + n;
    return this;
  }

  /** Fields encoded once (encodedFields) and repeated in every row, such as a constant id. */
  encoded(fields: Uint8Array): this {
    this.buf.set(fields, this.pos);
    this.pos += fields.length;
    return this;
  }

  bytea(bytes: Uint8Array): this {
    this.pos = this.buf.writeInt32BE(bytes.length, this.pos);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    return this;
  }

  bool(v: boolean): this {
    this.pos = this.buf.writeInt32BE(1, this.pos);
    this.buf[this.pos++] = v ? 1 : 0;
    return this;
  }

  /** an int4, or NULL */
  int4(v: number | null): this {
    if (v === null) {
      this.pos = this.buf.writeInt32BE(-1, this.pos);
      return this;
    }
    this.pos = this.buf.writeInt32BE(4, this.pos);
    this.pos = this.buf.writeInt32BE(v, this.pos);
    return this;
  }

  float8(v: number): this {
    this.pos = this.buf.writeInt32BE(8, this.pos);
    this.pos = this.buf.writeDoubleBE(v, this.pos);
    return this;
  }

  /** Hands over the chunks filled so far (to stream them while the rest is built). */
  drain(): Buffer[] {
    return this.chunks.splice(0);
  }

  /** The remaining data, with the trailer; the builder must not be used afterwards. */
  finish(): Buffer[] {
    this.reserve(2);
    this.pos = this.buf.writeInt16BE(-1, this.pos);
    this.chunks.push(this.buf.subarray(0, this.pos));
    return this.chunks;
  }

  private reserve(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    this.chunks.push(this.buf.subarray(0, this.pos));
    this.buf = Buffer.allocUnsafe(Math.max(this.chunkBytes, bytes));
    this.pos = 0;
  }
}

/** Upper bound of the binary COPY bytes of a text field holding `s` (length word included). */
export function textFieldBytes(s: string): number {
  return 4 + 3 * s.length;
}

/** Binary COPY fields (length word and bytes) of uuids and texts, for BinaryCopyRows#encoded. */
export function encodedFields(fields: Array<{ uuid: string } | { text: string }>): Uint8Array {
  return Buffer.concat(fields.map((f) => {
    const bytes = 'uuid' in f ? Buffer.from(f.uuid.replace(/-/g, ''), 'hex') : Buffer.from(f.text, 'utf8');
    if ('uuid' in f && bytes.length !== 16) throw new Error(`not a uuid: ${f.uuid}`);
    const field = Buffer.allocUnsafe(4 + bytes.length);
    field.writeInt32BE(bytes.length, 0);
    bytes.copy(field, 4);
    return field;
  }));
}

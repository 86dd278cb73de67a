// Binary form of an EncodedPage, so that one worker's encoding can be stored (Redis, PostgreSQL,
// LMDB) and read by the others.
//
//   "MFP1" | u32 LE header length | header JSON (UTF-8) | zero padding to a multiple of 8 |
//   num f64[size*K] | itemStart i32[size*K+1] | items i32[n] | bandKeys u32[size*bands] |
//   kind u8[size*K] | side u8[size] | hasTokens u8[size]
// All numbers little-endian; the 8-byte sections come first so that they stay aligned.
import type { EncodedPage } from './encodedPage.ts';
import type { LshParams } from './minhash.ts';

const MAGIC = 'MFP1';

interface Header {
  size: number;
  keys: string[];
  referenceIds: string[];
  types: string[];
  dict: string[][];
  itemCount: number;
  lsh: LshParams | null;
}

const align8 = (n: number): number => (n + 7) & ~7;

export function serializePage(page: EncodedPage): Buffer {
  const header: Header = {
    size: page.size,
    keys: page.keys,
    referenceIds: page.referenceIds,
    types: page.types,
    dict: page.dict,
    itemCount: page.items.length,
    lsh: page.lsh?.params ?? null,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const start = align8(8 + json.length);
  const sections: ArrayBufferView[] = [page.num, page.itemStart, page.items];
  if (page.lsh) sections.push(page.lsh.bandKeys);
  sections.push(page.kind, page.side);
  if (page.lsh) sections.push(page.lsh.hasTokens);
  const total = start + sections.reduce((n, s) => n + s.byteLength, 0);
  const out = Buffer.alloc(total);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(json.length, 4);
  json.copy(out, 8);
  let at = start;
  for (const s of sections) {
    out.set(new Uint8Array(s.buffer, s.byteOffset, s.byteLength), at);
    at += s.byteLength;
  }
  return out;
}

export function deserializePage(buf: Uint8Array): EncodedPage {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 8 || b.toString('latin1', 0, 4) !== MAGIC) throw new Error('not an encoded page (bad magic)');
  const jsonLength = b.readUInt32LE(4);
  const h = JSON.parse(b.toString('utf8', 8, 8 + jsonLength)) as Header;
  const slots = h.size * h.keys.length;
  let at = align8(8 + jsonLength);
  // Copies rather than views: the source buffer may be unaligned or pooled.
  const take = <T>(Ctor: { new (n: number): T; BYTES_PER_ELEMENT: number }, n: number): T => {
    const bytes = n * Ctor.BYTES_PER_ELEMENT;
    if (at + bytes > b.length) throw new Error('encoded page is truncated');
    const arr = new Ctor(n);
    new Uint8Array((arr as unknown as ArrayBufferView).buffer).set(b.subarray(at, at + bytes));
    at += bytes;
    return arr;
  };
  const num = take(Float64Array, slots);
  const itemStart = take(Int32Array, slots + 1);
  const items = take(Int32Array, h.itemCount);
  const bandKeys = h.lsh ? take(Uint32Array, h.size * h.lsh.bands) : null;
  const kind = take(Uint8Array, slots);
  const side = take(Uint8Array, h.size);
  const hasTokens = h.lsh ? take(Uint8Array, h.size) : null;
  return {
    size: h.size,
    referenceIds: h.referenceIds,
    types: h.types,
    keys: h.keys,
    kind,
    num,
    itemStart,
    items,
    dict: h.dict,
    side,
    lsh: h.lsh ? { params: h.lsh, bandKeys: bandKeys!, hasTokens: hasTokens! } : null,
  };
}

// A node's stored ranked list as one bytea (potential_match_lists.entries): the entry count, then
// per entry its score (float64) and its neighbour's reference id (u16 length, UTF-8), best first.
// One row per node instead of one per entry: a page of lists reads and writes as 1,000 rows.

export interface PackedList {
  refs: string[];
  scores: Float64Array;
}

export function packList(refs: readonly string[], scores: ArrayLike<number>): Buffer {
  const encoded = refs.map((r) => Buffer.from(r, 'utf8'));
  const out = Buffer.allocUnsafe(4 + encoded.reduce((n, b) => n + 10 + b.length, 0));
  out.writeUInt32LE(refs.length, 0);
  let at = 4;
  encoded.forEach((b, j) => {
    out.writeDoubleLE(scores[j], at);
    out.writeUInt16LE(b.length, at + 8);
    b.copy(out, at + 10);
    at += 10 + b.length;
  });
  return out;
}

export function unpackList(buf: Buffer): PackedList {
  const n = buf.readUInt32LE(0);
  const refs = new Array<string>(n);
  const scores = new Float64Array(n);
  let at = 4;
  for (let j = 0; j < n; j++) {
    scores[j] = buf.readDoubleLE(at);
    const len = buf.readUInt16LE(at + 8);
    refs[j] = buf.toString('utf8', at + 10, at + 10 + len);
    at += 10 + len;
  }
  return { refs, scores };
}

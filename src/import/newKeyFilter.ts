// Which reference ids of an import are surely new to their group. A new node can go into `nodes`
// through a plain INSERT, which costs PostgreSQL about 40 % less than the INSERT … ON CONFLICT
// every other row needs (the speculative insertion, the DISTINCT ON, the RETURNING).
//
// The filter remembers a 64-bit hash of every key it has seen: the group's existing reference
// ids, loaded when the import starts, then each key of the file as it is read. A key whose hash
// is not there is new for sure; a hash that is there (the key was seen, or two keys collide)
// only sends the row through the UPSERT, which is always correct. So the hash never has to be
// perfect, and memory stays bounded: past `maxKeys` the filter gives up and every later row takes
// the UPSERT path. Imports of one group are serialized by an advisory lock and nothing else
// inserts nodes, so no key can appear behind the filter's back.
import { hashString } from '../matching/hash32.ts';

const SEED_HI = 0x811c9dc5;
const SEED_LO = 0x9747b28c;
const INITIAL_SLOTS = 1 << 12;

export class NewKeyFilter {
  // open addressing, linear probing; a slot is empty when its `lo` is 0 (stored `lo`s are odd)
  private hi = new Uint32Array(INITIAL_SLOTS);
  private lo = new Uint32Array(INITIAL_SLOTS);
  private count = 0;
  private full = false;

  constructor(readonly maxKeys: number) {
    if (maxKeys <= 0) this.full = true;
  }

  /** false once the filter holds maxKeys keys: from then on no key counts as new */
  get active(): boolean {
    return !this.full;
  }

  get size(): number {
    return this.count;
  }

  /** Stops the filter for good (the group alone holds more keys than it may remember). */
  giveUp(): void {
    this.full = true;
    this.hi = new Uint32Array(0);
    this.lo = new Uint32Array(0);
  }

  /** Remembers `key`; true when it surely was not seen before (so its node is new). */
  firstSight(key: string): boolean {
    if (this.full) return false;
    const h = hashString(key, SEED_HI);
    const l = (hashString(key, SEED_LO) | 1) >>> 0;
    const mask = this.hi.length - 1;
    let i = (h ^ Math.imul(l, 0x9e3779b1)) & mask;
    while (this.lo[i] !== 0) {
      if (this.lo[i] === l && this.hi[i] === h) return false;
      i = (i + 1) & mask;
    }
    if (this.count >= this.maxKeys) {
      this.giveUp();
      return false;
    }
    this.hi[i] = h;
    this.lo[i] = l;
    this.count++;
    if (this.count * 2 > this.hi.length) this.grow();
    return true;
  }

  private grow(): void {
    const { hi, lo } = this;
    this.hi = new Uint32Array(hi.length * 2);
    this.lo = new Uint32Array(lo.length * 2);
    const mask = this.hi.length - 1;
    for (let j = 0; j < hi.length; j++) {
      const l = lo[j];
      if (l === 0) continue;
      let i = (hi[j] ^ Math.imul(l, 0x9e3779b1)) & mask;
      while (this.lo[i] !== 0) i = (i + 1) & mask;
      this.hi[i] = hi[j];
      this.lo[i] = l;
    }
  }
}

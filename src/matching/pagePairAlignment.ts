// Everything that two pages' per-page dictionaries need in order to be compared, computed once per
// page pair so that the per-node-pair work is array lookups:
//   - the keys both pages have (in sorted name order), as slot offsets into each page;
//   - per common key, the relation between every single value (TEXT or NUMBER slot) of A and every
//     single value of B: EQUAL, CONTAINS (one contains the other) or NONE, as a dense byte matrix
//     [singles of A × singles of B] — list items are left out: lists only ever intersect, and a
//     many-valued tag key would otherwise make the matrix huge;
//   - per slot of each page, the index of its single value in that matrix (-1: missing or list);
//   - B's items renumbered into A's id space (strings A lacks get fresh ids ≥ dA) and re-sorted
//     within each slot, so that item-set intersections are sorted merges of integers.
import { compareCodePoints, KIND_NUMBER, KIND_TEXT, type EncodedPage } from './encodedPage.ts';

// A relation-matrix cell: 0 (what the matrix is filled with) for no relation, or one of these.
export const REL_CONTAINS = 1;
export const REL_EQUAL = 2;

export interface PagePairAlignment {
  a: EncodedPage;
  b: EncodedPage;
  /** number of common keys */
  common: number;
  /** key index in A, in B, and name, per common key */
  keyA: Int32Array;
  keyB: Int32Array;
  names: string[];
  /** per common key: number of B's single values (row stride of its relation matrix) and offset of the matrix in `rel` */
  dictB: Int32Array;
  relOffset: Int32Array;
  rel: Uint8Array;
  /** B.items with the ids of common keys renumbered into A's id space */
  itemsB: Int32Array;
  /** per slot of A and of B: index of the slot's single value in its key's relation matrix, -1 if none */
  singleA: Int32Array;
  singleB: Int32Array;
}

/** Single values of key k of the page: their dictionary ids, and each slot's index among them. */
function singleValues(page: EncodedPage, k: number, slotIndex: Int32Array): number[] {
  const K = page.keys.length;
  const index = new Int32Array(page.dict[k].length).fill(-1);
  const list: number[] = [];
  for (let node = 0; node < page.size; node++) {
    const s = node * K + k;
    const t = page.kind[s];
    if (t !== KIND_TEXT && t !== KIND_NUMBER) continue;
    const id = page.items[page.itemStart[s]];
    if (index[id] < 0) {
      index[id] = list.length;
      list.push(id);
    }
    slotIndex[s] = index[id];
  }
  return list;
}

/** A 32-bit set of the characters of s (code unit mod 32): t ⊆ s implies mask(t) ⊆ mask(s). */
function charMask(s: string): number {
  let m = 0;
  for (let i = 0; i < s.length; i++) m |= 1 << (s.charCodeAt(i) & 31);
  return m;
}

/** Relation of A's single values `sa` (dictionary ids into da) to B's `sb` (into db). */
function relationMatrix(da: string[], sa: number[], db: string[], sb: number[], remap: Int32Array, out: Uint8Array, offset: number): void {
  const ma = Int32Array.from(sa, (id) => charMask(da[id]));
  const mb = Int32Array.from(sb, (id) => charMask(db[id]));
  const nb = sb.length;
  for (let i = 0; i < sa.length; i++) {
    const s = da[sa[i]];
    const m = ma[i];
    const row = offset + i * nb;
    for (let j = 0; j < nb; j++) {
      if (remap[sb[j]] === sa[i]) {
        out[row + j] = REL_EQUAL;
        continue;
      }
      const t = db[sb[j]];
      const mt = mb[j];
      // cheap necessary conditions before the substring search
      if (t.length < s.length ? (mt & ~m) === 0 && s.includes(t) : t.length > s.length && (m & ~mt) === 0 && t.includes(s)) {
        out[row + j] = REL_CONTAINS;
      }
    }
  }
}

export function alignPages(a: EncodedPage, b: EncodedPage): PagePairAlignment {
  const same = a === b;
  const keyA: number[] = [];
  const keyB: number[] = [];
  const names: string[] = [];
  // both key lists are sorted in code-point order (encodePage), so a merge finds the common ones
  for (let i = 0, j = 0; i < a.keys.length && j < b.keys.length;) {
    const order = compareCodePoints(a.keys[i], b.keys[j]);
    if (order === 0) {
      keyA.push(i);
      keyB.push(j);
      names.push(a.keys[i]);
      i++;
      j++;
    } else if (order < 0) i++;
    else j++;
  }
  const common = names.length;
  const singleA = new Int32Array(a.kind.length).fill(-1);
  const singleB = same ? singleA : new Int32Array(b.kind.length).fill(-1);
  const singlesA = keyA.map((k) => singleValues(a, k, singleA));
  const singlesB = same ? singlesA : keyB.map((k) => singleValues(b, k, singleB));
  const dictB = new Int32Array(common);
  const relOffset = new Int32Array(common);
  let relSize = 0;
  for (let c = 0; c < common; c++) {
    dictB[c] = singlesB[c].length;
    relOffset[c] = relSize;
    relSize += singlesA[c].length * dictB[c];
  }
  const rel = new Uint8Array(relSize);
  const itemsB = same ? b.items : Int32Array.from(b.items);
  const KB = b.keys.length;
  for (let c = 0; c < common; c++) {
    const da = a.dict[keyA[c]];
    const db = b.dict[keyB[c]];
    const remap = new Int32Array(db.length);
    if (same) for (let j = 0; j < db.length; j++) remap[j] = j;
    else {
      const idsA = new Map<string, number>();
      for (let i = 0; i < da.length; i++) idsA.set(da[i], i);
      let fresh = da.length;
      for (let j = 0; j < db.length; j++) remap[j] = idsA.get(db[j]) ?? fresh++;
      const k = keyB[c];
      for (let node = 0; node < b.size; node++) {
        const s = node * KB + k;
        const from = b.itemStart[s];
        const to = b.itemStart[s + 1];
        for (let x = from; x < to; x++) itemsB[x] = remap[b.items[x]];
        if (to - from > 1) itemsB.subarray(from, to).sort();
      }
    }
    relationMatrix(da, singlesA[c], db, singlesB[c], remap, rel, relOffset[c]);
  }
  return { a, b, common, keyA: Int32Array.from(keyA), keyB: Int32Array.from(keyB), names, dictB, relOffset, rel, itemsB, singleA, singleB };
}

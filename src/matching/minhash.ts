// MinHash signatures and LSH band keys of a node's metadata (the metadata strategy).
//
// The hash family is built so that two nodes agree on one MinHash value with a probability close
// to their compatibility score (compatibilityScorer.ts), not to the Jaccard similarity of some
// token bag — a bag gives a multi-value key one token per item and a number two or three, which
// measured a much weaker separation between true top-K neighbours and random pairs.
//
// Function i of the family:
//   1. picks one metadata key: among the keys the node has, the one with the smallest
//      fmix32(hash(key) ^ keySeed_i). For two nodes this is a uniform pick from the union of
//      their keys; if that key is missing on one node they disagree.
//   2. reduces that key's value to one representative under function i:
//        text   → hash of the normalized value (equal values agree);
//        multi  → the MinHash of the item set under function i (agrees with probability equal to
//                 the Jaccard similarity of the two item sets);
//        number → the log-scale bucket floor(ln|x| / width + offset_i), with a random offset per
//                 function and width = 2·ln(1/(1-tolerance)): two numbers within the tolerance
//                 agree with probability ≥ 1/2, numbers far apart never.
//   3. the MinHash value is hash(key, representative).
// So P(agree) ≈ Σ_{k ∈ common keys} P(values agree on k) / |union of keys| — the score without
// the partial rule and with all weights 1. A band key hashes `rows` consecutive values; two nodes
// collide in a band with probability ≈ s^rows and become candidates when they collide in at least
// one of `bands` bands: P ≈ 1 - (1 - s^rows)^bands (the S-curve).
import { combineHash, fmix32, hashString } from './hash32.ts';
import type { ReadValue } from './metadataValue.ts';

export interface LshParams {
  /** band keys per node (the number of LSH hash tables) */
  bands: number;
  /** MinHash values hashed into one band key */
  rows: number;
  /** seed of the MinHash family: every page of a cycle must use the same */
  seed: number;
  /** relative numeric tolerance of the scorer, sets the width of the numeric buckets */
  numericTolerance: number;
}

/** What the hash family needs of one node: per present key, its hash and its value. */
export interface NodeFeatures {
  keyHash: Uint32Array;
  /** 0 text, 1 number, 2 multi */
  kind: Uint8Array;
  /** text: hash of the value; number: unused */
  valueHash: Uint32Array;
  num: Float64Array;
  /** multi: item hashes of key j are itemHash[itemStart[j] .. itemStart[j+1]) */
  itemStart: Int32Array;
  itemHash: Uint32Array;
}

const F_TEXT = 0;
const F_NUMBER = 1;
const F_MULTI = 2;

export function nodeFeatures(keys: readonly string[], values: readonly ReadValue[]): NodeFeatures {
  const present: number[] = [];
  for (let k = 0; k < keys.length; k++) if (values[k].kind !== 'missing') present.push(k);
  const n = present.length;
  const f: NodeFeatures = {
    keyHash: new Uint32Array(n),
    kind: new Uint8Array(n),
    valueHash: new Uint32Array(n),
    num: new Float64Array(n),
    itemStart: new Int32Array(n + 1),
    itemHash: new Uint32Array(0),
  };
  const items: number[] = [];
  present.forEach((k, j) => {
    const v = values[k];
    f.keyHash[j] = hashString(keys[k]);
    f.itemStart[j] = items.length;
    if (v.kind === 'number') {
      f.kind[j] = F_NUMBER;
      f.num[j] = v.num;
    } else if (v.kind === 'multi') {
      f.kind[j] = F_MULTI;
      for (const item of v.items) items.push(hashString(item));
    } else {
      f.kind[j] = F_TEXT;
      f.valueHash[j] = hashString(v.items[0]);
    }
  });
  f.itemStart[n] = items.length;
  f.itemHash = Uint32Array.from(items);
  return f;
}

interface FamilySeeds {
  keySeed: Uint32Array;
  valueSeed: Uint32Array;
  offset: Float64Array;
  /** per set of present keys (their hashes, in order): the key each function picks (step 1) */
  picks: Map<string, Uint16Array>;
}

/**
 * Distinct key sets whose picks are kept. Nodes of a group mostly share a handful of key sets;
 * the bound only stops a group with free-form keys from growing the cache for ever.
 */
const MAX_KEY_SETS = 4096;

const seedCache = new Map<string, FamilySeeds>();

function familySeeds(params: LshParams): FamilySeeds {
  const id = `${params.bands}/${params.rows}/${params.seed}`;
  let seeds = seedCache.get(id);
  if (!seeds) {
    const n = params.bands * params.rows;
    seeds = { keySeed: new Uint32Array(n), valueSeed: new Uint32Array(n), offset: new Float64Array(n), picks: new Map() };
    let s = fmix32(params.seed ^ 0x5bd1e995);
    const nextSeed = (): number => (s = fmix32((s + 0x9e3779b9) >>> 0));
    for (let i = 0; i < n; i++) {
      seeds.keySeed[i] = nextSeed();
      seeds.valueSeed[i] = nextSeed();
      seeds.offset[i] = nextSeed() / 0x100000000;
    }
    seedCache.set(id, seeds);
  }
  return seeds;
}

/**
 * Step 1 of every function for one set of present keys: the index (into `keyHash`) of the key
 * with the smallest fmix32(keyHash ^ keySeed_i). It depends on the key set only, which most nodes
 * of a group share, so it is computed once per key set rather than per node (it was ~90 % of
 * encoding a page).
 */
function keyPicks(seeds: FamilySeeds, keyHash: Uint32Array): Uint16Array {
  const id = keyHash.join(',');
  let picks = seeds.picks.get(id);
  if (picks) return picks;
  const n = keyHash.length;
  if (n > 0xffff) throw new Error(`a node has ${n} metadata keys; MinHash supports at most 65,535`);
  picks = new Uint16Array(seeds.keySeed.length);
  for (let i = 0; i < picks.length; i++) {
    const ks = seeds.keySeed[i];
    let min = 0xffffffff;
    for (let j = 0; j < n; j++) {
      const h = fmix32((keyHash[j] ^ ks) >>> 0);
      if (h < min) {
        min = h;
        picks[i] = j;
      }
    }
  }
  if (seeds.picks.size >= MAX_KEY_SETS) seeds.picks.clear();
  seeds.picks.set(id, picks);
  return picks;
}

/**
 * Writes the node's `bands` band keys into out[offset .. offset+bands). Returns false (and writes
 * nothing) for a node without metadata: it can collide with nobody.
 */
export function writeBandKeys(f: NodeFeatures, params: LshParams, out: Uint32Array, offset: number): boolean {
  const n = f.keyHash.length;
  if (n === 0) return false;
  const seeds = familySeeds(params);
  const picks = keyPicks(seeds, f.keyHash);
  const width = 2 * Math.log(1 / (1 - Math.min(params.numericTolerance, 0.999)));
  // What does not depend on the function, once per key: a text key's token, a number's log scale.
  const { textToken, logScale } = scratchFor(n);
  for (let j = 0; j < n; j++) {
    if (f.kind[j] === F_TEXT) textToken[j] = combineHash(f.keyHash[j], f.valueHash[j]);
    else if (f.kind[j] === F_NUMBER) logScale[j] = Math.log(Math.abs(f.num[j])) / width;
  }
  const { bands, rows } = params;
  for (let b = 0; b < bands; b++) {
    let key = fmix32(b + 1);
    for (let r = 0; r < rows; r++) {
      const i = b * rows + r;
      const pick = picks[i];
      let token: number;
      if (f.kind[pick] === F_TEXT) token = textToken[pick];
      else if (f.kind[pick] === F_NUMBER) {
        const x = f.num[pick];
        token = combineHash(f.keyHash[pick], x === 0 ? 0x7fffffff : combineHash(x < 0 ? 1 : 2, Math.floor(logScale[pick] + seeds.offset[i]) | 0));
      } else {
        const vs = seeds.valueSeed[i];
        let rep = 0xffffffff;
        for (let t = f.itemStart[pick]; t < f.itemStart[pick + 1]; t++) {
          const h = fmix32((f.itemHash[t] ^ vs) >>> 0);
          if (h < rep) rep = h;
        }
        token = combineHash(f.keyHash[pick], rep);
      }
      key = combineHash(key, token);
    }
    out[offset + b] = key;
  }
  return true;
}

let scratch = { textToken: new Uint32Array(16), logScale: new Float64Array(16) };

function scratchFor(n: number): typeof scratch {
  if (scratch.textToken.length < n) scratch = { textToken: new Uint32Array(n), logScale: new Float64Array(n) };
  return scratch;
}

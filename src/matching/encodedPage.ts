// A page of nodes with their metadata encoded once into flat typed arrays, so that scoring a pair
// of nodes is integer and float work on arrays: no strings, no Maps, no allocation.
//
// Layout: keys are the sorted union of the page's metadata keys (K of them). Slot s = node*K + k
// holds the value of key k for that node:
//   kind[s]      MISSING | TEXT | NUMBER | MULTI  (metadataValue.ts rules)
//   num[s]       the number of a NUMBER slot, NaN otherwise
//   items[itemStart[s] .. itemStart[s+1])
//                the slot's items as ids into dict[k] (the page's dictionary of key k), ascending;
//                one item for TEXT and NUMBER (the normalized value), two or more for MULTI
// Dictionaries are per page: two pages are aligned once per page pair (pagePairAlignment.ts),
// never per pair of nodes.
// With LSH parameters the page also carries each node's band keys (minhash.ts).
import { nodeFeatures, writeBandKeys, type LshParams } from './minhash.ts';
import { DEFAULT_SEPARATORS, normalizeValue, readValue, type ReadValue } from './metadataValue.ts';

export const KIND_MISSING = 0;
export const KIND_TEXT = 1;
export const KIND_NUMBER = 2;
export const KIND_MULTI = 3;

export interface NodeInput {
  referenceId: string;
  metadata: Record<string, string | null | undefined>;
  /** the node's type column (bipartite groups may split on it) */
  type?: string | null;
}

export interface PageLsh {
  params: LshParams;
  /** size × bands band keys, node-major */
  bandKeys: Uint32Array;
  /** 1 when the node has at least one token (and so band keys) */
  hasTokens: Uint8Array;
}

export interface EncodedPage {
  size: number;
  referenceIds: string[];
  /** node types, '' where none */
  types: string[];
  keys: string[];
  kind: Uint8Array;
  num: Float64Array;
  itemStart: Int32Array;
  items: Int32Array;
  dict: string[][];
  lsh: PageLsh | null;
  /** bipartite side of each node (SIDE_NONE / SIDE_LEFT / SIDE_RIGHT); all SIDE_NONE without a partition */
  side: Uint8Array;
}

export const SIDE_NONE = 0;
export const SIDE_LEFT = 1;
export const SIDE_RIGHT = 2;

/** Bipartite split: nodes whose `key` value is one of leftValues / rightValues. */
export interface PartitionSpec {
  /** a metadata key; 'type' falls back to the node's type column when the metadata lacks it */
  key: string;
  leftValues: readonly string[];
  rightValues: readonly string[];
}

export interface EncodeOptions {
  /** multi-value separators (metadataValue.ts rule 3) */
  separators?: string;
  /** only these metadata keys are encoded (default: every key the nodes have) */
  keys?: readonly string[];
  /** metadata keys never encoded (for example the bipartite partition key) */
  excludeKeys?: readonly string[];
  /** compute band keys for the metadata (LSH) strategy */
  lsh?: LshParams;
  /** assign each node a bipartite side; the partition key itself is then not scored */
  partition?: PartitionSpec;
}

const KIND_CODE: Record<ReadValue['kind'], number> = { missing: KIND_MISSING, text: KIND_TEXT, number: KIND_NUMBER, multi: KIND_MULTI };

export function encodePage(nodes: readonly NodeInput[], opts: EncodeOptions = {}): EncodedPage {
  const separators = opts.separators ?? DEFAULT_SEPARATORS;
  const exclude = new Set(opts.excludeKeys ?? []);
  if (opts.partition) exclude.add(opts.partition.key);
  let keySet: Set<string>;
  if (opts.keys) keySet = new Set(opts.keys);
  else {
    keySet = new Set();
    for (const n of nodes) for (const k of Object.keys(n.metadata)) keySet.add(k);
  }
  for (const k of exclude) keySet.delete(k);
  const keys = [...keySet].sort(compareCodePoints);
  const K = keys.length;
  const size = nodes.length;

  const kind = new Uint8Array(size * K);
  const num = new Float64Array(size * K).fill(NaN);
  const itemStart = new Int32Array(size * K + 1);
  const itemList: number[] = [];
  const dict: string[][] = keys.map(() => []);
  const ids: Array<Map<string, number>> = keys.map(() => new Map<string, number>());
  const lsh = opts.lsh
    ? { params: opts.lsh, bandKeys: new Uint32Array(size * opts.lsh.bands), hasTokens: new Uint8Array(size) }
    : null;
  const read: ReadValue[] = new Array<ReadValue>(K);
  const slotItems: number[] = [];

  for (let i = 0; i < size; i++) {
    const md = nodes[i].metadata;
    for (let k = 0; k < K; k++) {
      const s = i * K + k;
      const v = (read[k] = readValue(md[keys[k]], separators));
      kind[s] = KIND_CODE[v.kind];
      num[s] = v.num;
      itemStart[s] = itemList.length;
      slotItems.length = 0;
      for (const item of v.items) {
        let id = ids[k].get(item);
        if (id === undefined) {
          id = dict[k].length;
          dict[k].push(item);
          ids[k].set(item, id);
        }
        slotItems.push(id);
      }
      slotItems.sort((a, b) => a - b);
      for (const id of slotItems) itemList.push(id);
    }
    if (lsh) {
      lsh.hasTokens[i] = writeBandKeys(nodeFeatures(keys, read), lsh.params, lsh.bandKeys, i * lsh.params.bands) ? 1 : 0;
    }
  }
  itemStart[size * K] = itemList.length;
  return {
    side: opts.partition ? partitionSides(nodes, opts.partition) : new Uint8Array(size),
    size,
    referenceIds: nodes.map((n) => n.referenceId),
    types: nodes.map((n) => n.type ?? ''),
    keys,
    kind,
    num,
    itemStart,
    items: Int32Array.from(itemList),
    dict,
    lsh,
  };
}

function partitionSides(nodes: readonly NodeInput[], spec: PartitionSpec): Uint8Array {
  const sideOf = sideMatcher(spec);
  const out = new Uint8Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) out[i] = sideOf(nodes[i].metadata[spec.key], nodes[i].type);
  return out;
}

/**
 * The bipartite side of a node under spec, from its metadata value for spec.key (and its type
 * column when the key is 'type' and the metadata lacks it): the one rule both stages split by.
 */
export function sideMatcher(spec: PartitionSpec): (metadataValue: unknown, type: string | null | undefined) => number {
  const left = new Set(spec.leftValues.map(normalizeValue));
  const right = new Set(spec.rightValues.map(normalizeValue));
  return (metadataValue, type) => {
    const raw = metadataValue ?? (spec.key === 'type' ? type : undefined);
    const v = raw == null ? '' : normalizeValue(String(raw));
    return left.has(v) ? SIDE_LEFT : right.has(v) ? SIDE_RIGHT : SIDE_NONE;
  };
}

/** Code-point order (PostgreSQL's COLLATE "C" on UTF-8), unlike `<` on UTF-16 code units. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

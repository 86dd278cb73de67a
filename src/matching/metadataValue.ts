// How one raw metadata value is read before any comparison. These are the value-level rules of
// the MetadataCompatibilityCalculator (docs/scoring.md) made exact; the pair-level rules live in
// compatibilityScorer.ts.
//
// 1. Normalization: trim, lower-case (locale independent), and collapse runs of white space to
//    one space. "  New   York " and "new york" are the same value. An empty result is a
//    missing value: the key does not count for this node at all.
// 2. Numbers: a normalized value that is a plain decimal number (optional sign, digits, optional
//    fraction, optional exponent: /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/) is numeric. "0x10",
//    "1,000", "inf" and "12 years" are not numbers.
// 3. Multi-values: a non-numeric value containing a separator (',' or ';' by default — the seed
//    says comma-separated lists, the synthetic data uses ';') is a set of items: split, each item
//    normalized as in 1, empty items dropped, duplicates removed. A list with a single item left
//    is that single value (so "python;" equals "python").

export const DEFAULT_SEPARATORS = ',;';

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/;
const SPACE_RE = /\s+/g;

export function normalizeValue(raw: string): string {
  return raw.trim().toLowerCase().replace(SPACE_RE, ' ');
}

/** The numeric value of a normalized value, or NaN when it is not a plain decimal number. */
export function parseNumeric(normalized: string): number {
  if (!NUMBER_RE.test(normalized)) return NaN;
  const x = Number(normalized);
  return Number.isFinite(x) ? x : NaN;
}

export type ValueKind = 'missing' | 'text' | 'number' | 'multi';

export interface ReadValue {
  kind: ValueKind;
  /** normalized items: one for text and number, two or more for multi, none for missing */
  items: string[];
  /** the number for kind 'number', NaN otherwise */
  num: number;
}

const MISSING: ReadValue = { kind: 'missing', items: [], num: NaN };

/** Applies rules 1-3 to one raw value. */
export function readValue(raw: string | null | undefined, separators: string = DEFAULT_SEPARATORS): ReadValue {
  if (raw === null || raw === undefined) return MISSING;
  const v = normalizeValue(String(raw));
  if (v === '') return MISSING;
  const num = parseNumeric(v);
  if (!Number.isNaN(num)) return { kind: 'number', items: [v], num };
  let hasSeparator = false;
  for (let i = 0; i < separators.length && !hasSeparator; i++) hasSeparator = v.includes(separators[i]);
  if (!hasSeparator) return { kind: 'text', items: [v], num: NaN };
  const items = [...new Set(splitAny(v, separators).map(normalizeValue).filter((x) => x !== ''))];
  if (items.length === 0) return MISSING;
  if (items.length === 1) return readValue(items[0], separators);
  return { kind: 'multi', items, num: NaN };
}

function splitAny(v: string, separators: string): string[] {
  let parts = [v];
  for (const sep of separators) parts = parts.flatMap((p) => p.split(sep));
  return parts;
}

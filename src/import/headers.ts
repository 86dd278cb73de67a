// Header normalization (metadata keys are normalized before storage) and the
// column plan of a CSV file: which column is reference_id, which is type, which become metadata.
import { ImportInputError } from './errors.ts';

export const REFERENCE_ID = 'reference_id';
export const TYPE = 'type';

/**
 * The normalized form of a header: Unicode NFKC, camelCase split into words, lower case, and
 * every run of characters other than letters and digits turned into one '_' (trimmed at both
 * ends). "Reference ID", "referenceId", "REFERENCE-ID" and " reference_id " all give
 * "reference_id"; SQL or JSON metacharacters never reach a key.
 */
export function normalizeHeader(raw: string): string {
  return raw
    .normalize('NFKC')
    .replace(/^\uFEFF/, '')
    .replace(/(\p{Ll}|\p{N})(\p{Lu})/gu, '$1_$2')
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1_$2')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '');
}

export interface MetadataColumn {
  index: number;
  key: string;
  /** `"key":` ready to be concatenated into a JSON object */
  jsonKey: string;
}

export interface ColumnPlan {
  width: number;
  referenceIdIndex: number;
  typeIndex: number | null;
  metadata: MetadataColumn[];
  /** the header as found, for error messages */
  headers: string[];
}

const shown = (headers: string[]): string => headers.slice(0, 8).map((h) => JSON.stringify(h.slice(0, 40))).join(', ') +
  (headers.length > 8 ? `, … (${headers.length} columns)` : '');

/** Builds the plan from the first CSV record; throws ImportInputError when it is not a usable header. */
export function planColumns(headers: string[], maxKeyLength: number): ColumnPlan {
  const keys = headers.map(normalizeHeader);
  const empty = keys.findIndex((k) => k === '');
  if (empty >= 0) {
    throw new ImportInputError('header_empty_name',
      `column ${empty + 1} of the header has no name (header: ${shown(headers)}); every column needs a name`);
  }
  const long = keys.findIndex((k) => k.length > maxKeyLength);
  if (long >= 0) {
    throw new ImportInputError('header_name_too_long', `column ${long + 1} of the header is longer than ${maxKeyLength} characters`);
  }
  const seen = new Map<string, number>();
  for (let i = 0; i < keys.length; i++) {
    const first = seen.get(keys[i]);
    if (first !== undefined) {
      throw new ImportInputError('header_duplicate_column',
        `duplicate column name '${keys[i]}' (columns ${first + 1} and ${i + 1}, ` +
        `after normalization: ${JSON.stringify(headers[first])} and ${JSON.stringify(headers[i])})`);
    }
    seen.set(keys[i], i);
  }
  const referenceIdIndex = seen.get(REFERENCE_ID);
  if (referenceIdIndex === undefined) {
    throw new ImportInputError('header_no_reference_id',
      `the header has no reference_id column (found: ${shown(headers)}); the first line must name the columns and one must be reference_id`);
  }
  const typeIndex = seen.get(TYPE) ?? null;
  const metadata: MetadataColumn[] = [];
  for (let i = 0; i < keys.length; i++) {
    if (i !== referenceIdIndex && i !== typeIndex) metadata.push({ index: i, key: keys[i], jsonKey: `${JSON.stringify(keys[i])}:` });
  }
  return { width: headers.length, referenceIdIndex, typeIndex, metadata, headers };
}

// The NodeExchange import request, as it arrives over HTTP or Kafka, validated
// field by field, and its translation into an import request.
import type { ImportSource } from '../shared/queues.ts';
import { REFERENCE_ID_MAX, TYPE_MAX } from './rowValidation.ts';
import { isObjectUrl } from './s3Object.ts';
import { quoted } from '../shared/problemSummary.ts';
import { nameProblem } from '../groups/names.ts';

export interface NodeExchange {
  domainId: string;
  groupId: string;
  filePath?: string;
  fileName?: string;
  contentType?: string;
  referenceIds?: string[];
  /** not in the seed: node type of rows without one */
  type?: string;
  /** not in the seed: a client key that makes a retried request enqueue one import */
  requestId?: string;
}

const NAME_MAX = 255;
const PATH_MAX = 4096;
/** Unknown fields named in the error; the rest are counted. */
const UNKNOWN_NAMED = 5;

type FieldRule = { kind: 'string'; max: number; required?: boolean } | { kind: 'string[]'; itemMax: number };

const SCHEMA: Record<keyof NodeExchange, FieldRule> = {
  domainId: { kind: 'string', max: NAME_MAX, required: true },
  groupId: { kind: 'string', max: NAME_MAX, required: true },
  filePath: { kind: 'string', max: PATH_MAX },
  fileName: { kind: 'string', max: NAME_MAX },
  contentType: { kind: 'string', max: NAME_MAX },
  referenceIds: { kind: 'string[]', itemMax: REFERENCE_ID_MAX },
  type: { kind: 'string', max: TYPE_MAX },
  requestId: { kind: 'string', max: NAME_MAX },
};

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** Checks a parsed JSON value against the NodeExchange schema; lists every problem found. */
export function validateNodeExchange(input: unknown): Validation<NodeExchange> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { ok: false, errors: ['the body must be a JSON object'] };
  const obj = input as Record<string, unknown>;
  const errors: string[] = [];
  // One problem for all unknown fields, naming a few: a request with 90,000 of them gets one line.
  const unknown = Object.keys(obj).filter((key) => !Object.hasOwn(SCHEMA, key));
  if (unknown.length) {
    const named = unknown.slice(0, UNKNOWN_NAMED).map((k) => quoted(k)).join(', ');
    const more = unknown.length > UNKNOWN_NAMED ? ` and ${unknown.length - UNKNOWN_NAMED} more` : '';
    errors.push(`unknown field${unknown.length > 1 ? 's' : ''} ${named}${more} (allowed: ${Object.keys(SCHEMA).join(', ')})`);
  }
  for (const [key, rule] of Object.entries(SCHEMA)) {
    const v = obj[key];
    if (v === undefined || v === null) {
      if (rule.kind === 'string' && rule.required) errors.push(`'${key}' is required`);
      continue;
    }
    if (rule.kind === 'string') {
      if (typeof v !== 'string') errors.push(`'${key}' must be a string`);
      else if (v.trim() === '') errors.push(`'${key}' must not be empty`);
      else if (v.length > rule.max) errors.push(`'${key}' is longer than ${rule.max} characters`);
      else if (v.includes('\u0000')) errors.push(`'${key}' contains a NUL character`);
    } else if (!Array.isArray(v)) {
      errors.push(`'${key}' must be a list of strings`);
    } else {
      const bad = v.findIndex((x) => typeof x !== 'string' || x.trim() === '' || x.length > rule.itemMax || x.includes('\u0000'));
      if (bad >= 0) errors.push(`'${key}[${bad}]' must be a non-empty string of at most ${rule.itemMax} characters`);
      if (v.length === 0) errors.push(`'${key}' must not be empty`);
    }
  }
  for (const [key, what] of [['domainId', 'domain'], ['groupId', 'group']] as const) {
    const problem = typeof obj[key] === 'string' && (obj[key] as string).trim() !== '' ? nameProblem(what, obj[key] as string) : null;
    if (problem) errors.push(`'${key}': ${problem}`);
  }
  const hasFile = typeof obj.filePath === 'string';
  const hasRefs = Array.isArray(obj.referenceIds);
  if (hasFile === hasRefs) errors.push("exactly one of 'filePath' and 'referenceIds' is required");
  return errors.length ? { ok: false, errors } : { ok: true, value: obj as unknown as NodeExchange };
}

export interface ImportRequest {
  /** domain id or name */
  domain: string;
  /** group id or name */
  group: string;
  source: ImportSource;
  type?: string;
  fileName?: string;
  contentType?: string;
  /**
   * idempotency key, prefixed with who asked through what (`http:<token digest>:`, `kafka:<topic>:`,
   * `cli:`): within that scope and the group, the same key always yields the same import job
   */
  requestKey?: string;
}

export function sourceOf(filePathOrUrl: string): ImportSource {
  return isObjectUrl(filePathOrUrl) ? { kind: 's3', url: filePathOrUrl } : { kind: 'file', path: filePathOrUrl };
}

export function importRequestOf(x: NodeExchange, requestKey?: string): ImportRequest {
  return {
    domain: x.domainId.trim(),
    group: x.groupId.trim(),
    source: x.referenceIds ? { kind: 'references', referenceIds: x.referenceIds } : sourceOf(x.filePath!),
    type: x.type?.trim(),
    fileName: x.fileName,
    contentType: x.contentType,
    requestKey,
  };
}

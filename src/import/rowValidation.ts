// Turns one CSV record into a staged node or a rejected row with its reason (issue 3 item 2):
// no reference id, wrong column count, invalid UTF-8, NUL, a value over the configured length.
import type { ColumnPlan } from './headers.ts';
import type { StagedBatch } from './stagedBatch.ts';

/** Column widths of the nodes table (migrations/001): reference_id VARCHAR(255), type VARCHAR(50). */
export const REFERENCE_ID_MAX = 255;
export const TYPE_MAX = 50;

export interface RowRules {
  /** longest accepted metadata value, in characters */
  maxValueLength: number;
  /** type of rows without a type column or with an empty one */
  defaultType: string | null;
  /** rejected rows beyond this many are counted but not recorded */
  maxRecordedFailures: number;
}

/** Characters that PostgreSQL text and JSONB cannot hold (NUL) or that the decoder put in place of invalid UTF-8. */
// eslint-disable-next-line no-control-regex -- NUL is what this looks for
const BAD_CHAR = /[\u0000\uFFFD]/;

/** Length in characters (code points), as PostgreSQL counts VARCHAR(n). */
function charLength(s: string): number {
  if (s.length <= 1) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function tooLong(s: string, max: number): boolean {
  // UTF-16 length ≥ code point count, so only long strings need counting
  return s.length > max && charLength(s) > max;
}

function badCharReason(value: string, column: string): string {
  return value.includes('\u0000') ? `NUL character in column ${column}` : `invalid UTF-8 in column ${column}`;
}

export interface RowContext {
  plan: ColumnPlan;
  rules: RowRules;
  nextId: () => string;
  /** failures recorded so far in the whole import (for the cap) */
  recordedFailures: number;
}

function reject(ctx: RowContext, batch: StagedBatch, rowNumber: number, referenceId: string | null, reason: string): void {
  const record = ctx.recordedFailures < ctx.rules.maxRecordedFailures;
  if (record) ctx.recordedFailures++;
  batch.addFailure({ rowNumber, referenceId: referenceId && !BAD_CHAR.test(referenceId) ? referenceId.slice(0, REFERENCE_ID_MAX) : null, reason }, record);
}

/** Validates one data record and adds it to the batch as a node or a failure. */
export function stageRecord(record: string[], rowNumber: number, ctx: RowContext, batch: StagedBatch): void {
  const { plan, rules } = ctx;
  const rawRef = record[plan.referenceIdIndex];
  if (record.length !== plan.width) {
    reject(ctx, batch, rowNumber, rawRef?.trim() || null, `expected ${plan.width} columns, found ${record.length}`);
    return;
  }
  const referenceId = rawRef.trim();
  if (referenceId === '') return reject(ctx, batch, rowNumber, null, 'missing reference_id');
  if (BAD_CHAR.test(referenceId)) return reject(ctx, batch, rowNumber, null, badCharReason(referenceId, 'reference_id'));
  if (tooLong(referenceId, REFERENCE_ID_MAX)) return reject(ctx, batch, rowNumber, referenceId, `reference_id longer than ${REFERENCE_ID_MAX} characters`);
  let type = rules.defaultType;
  if (plan.typeIndex !== null) {
    const t = record[plan.typeIndex].trim();
    if (t !== '') {
      if (BAD_CHAR.test(t)) return reject(ctx, batch, rowNumber, referenceId, badCharReason(t, 'type'));
      if (tooLong(t, TYPE_MAX)) return reject(ctx, batch, rowNumber, referenceId, `type longer than ${TYPE_MAX} characters`);
      type = t;
    }
  }
  let json = '{';
  let first = true;
  for (const col of plan.metadata) {
    const v = record[col.index].trim();
    if (v === '') continue;
    if (BAD_CHAR.test(v)) return reject(ctx, batch, rowNumber, referenceId, badCharReason(v, col.key));
    if (tooLong(v, rules.maxValueLength)) {
      return reject(ctx, batch, rowNumber, referenceId, `value of column ${col.key} longer than ${rules.maxValueLength} characters`);
    }
    json += (first ? '' : ',') + col.jsonKey + JSON.stringify(v);
    first = false;
  }
  batch.addNode(rowNumber, ctx.nextId(), referenceId, type, json + '}');
}

/** A reference-id list entry: a node with no metadata. */
export function stageReference(value: unknown, rowNumber: number, ctx: RowContext, batch: StagedBatch): void {
  if (typeof value !== 'string') return reject(ctx, batch, rowNumber, null, 'reference id is not a string');
  const referenceId = value.trim();
  if (referenceId === '') return reject(ctx, batch, rowNumber, null, 'missing reference_id');
  if (BAD_CHAR.test(referenceId)) return reject(ctx, batch, rowNumber, null, badCharReason(referenceId, 'reference_id'));
  if (tooLong(referenceId, REFERENCE_ID_MAX)) return reject(ctx, batch, rowNumber, referenceId, `reference_id longer than ${REFERENCE_ID_MAX} characters`);
  batch.addNode(rowNumber, ctx.nextId(), referenceId, ctx.rules.defaultType, null);
}

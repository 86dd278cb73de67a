// One batch of an import on its way to PostgreSQL: the accepted rows as COPY text and the
// rejected rows. The text is built as strings and turned into a Buffer every 64 KiB: a string
// grown row by row is a rope that keeps every field string of every row alive until it is
// flattened, several times the bytes it stands for.
import { copyField, copyLine } from '../shared/copy.ts';
import type { NewKeyFilter } from './newKeyFilter.ts';

const CHUNK_CHARS = 1 << 16;

export interface FailedRow {
  rowNumber: number;
  referenceId: string | null;
  reason: string;
}

export class StagedBatch {
  /** COPY text of (row_number, id, reference_id, type, metadata, fresh) lines, UTF-8 */
  readonly chunks: Buffer[] = [];
  private current = '';
  rows = 0;
  /** rows whose reference id is surely new to the group (plain INSERT instead of the UPSERT) */
  freshRows = 0;
  readonly failed: FailedRow[] = [];
  /** failures counted but not kept because the recorded-failure cap was reached */
  unrecordedFailures = 0;
  /** the first accepted reference ids, for the status event's success list */
  readonly idSample: string[] = [];

  /** without a filter, every row goes through the UPSERT */
  constructor(private readonly sampleCap = 0, private readonly newKeys: NewKeyFilter | null = null) {}

  addNode(rowNumber: number, id: string, referenceId: string, type: string | null, metadataJson: string | null): void {
    if (this.idSample.length < this.sampleCap) this.idSample.push(referenceId);
    const fresh = this.newKeys?.firstSight(referenceId) ?? false;
    if (fresh) this.freshRows++;
    this.current += `${rowNumber}\t${id}\t${copyField(referenceId)}\t${copyField(type)}\t${copyField(metadataJson)}\t${fresh ? 't' : 'f'}\n`;
    if (this.current.length >= CHUNK_CHARS) {
      this.chunks.push(Buffer.from(this.current, 'utf8'));
      this.current = '';
    }
    this.rows++;
  }

  addFailure(row: FailedRow, record: boolean): void {
    if (record) this.failed.push(row);
    else this.unrecordedFailures++;
  }

  get failures(): number {
    return this.failed.length + this.unrecordedFailures;
  }

  get size(): number {
    return this.rows + this.failures;
  }

  /** the node lines as UTF-8 chunks, ready for copyChunks */
  nodeChunks(): Buffer[] {
    if (this.current) {
      this.chunks.push(Buffer.from(this.current, 'utf8'));
      this.current = '';
    }
    return this.chunks;
  }

  /** the failed rows as COPY lines of (job_id, row_number, reference_id, reason) */
  failedLines(jobId: string): string[] {
    return this.failed.map((f) => copyLine([jobId, f.rowNumber, f.referenceId, f.reason]));
  }
}

// The progress line of `matchflow import --wait` (rows and rows/s beside the bar), drawn on stderr.

export interface ProgressLine {
  percent: number;
  rows: number;
  rowsPerSecond: number;
  label: string;
}

/** `[██████······] 52%  123,456 rows  41,000 rows/s  PROCESSING` */
export function renderProgress(p: ProgressLine, width = 30): string {
  const pct = Math.max(0, Math.min(100, Math.floor(p.percent)));
  const filled = Math.round((pct / 100) * width);
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return `[${'█'.repeat(filled)}${'·'.repeat(width - filled)}] ${String(pct).padStart(3)}%  ${n(p.rows)} rows  ${n(p.rowsPerSecond)} rows/s  ${p.label}`;
}

/** Redraws in place on a terminal; elsewhere (logs, CI) prints a line per 10 % step. */
export function progressWriter(out: NodeJS.WriteStream = process.stderr): { update(p: ProgressLine): void; done(): void } {
  let lastStep = -1;
  let drawn = false;
  return {
    update(p) {
      if (out.isTTY) {
        out.write(`\r${renderProgress(p)}\x1b[K`);
        drawn = true;
        return;
      }
      const step = Math.floor(p.percent / 10);
      if (step !== lastStep) {
        lastStep = step;
        out.write(`${renderProgress(p)}\n`);
      }
    },
    done() {
      if (drawn) out.write('\n');
      drawn = false;
    },
  };
}

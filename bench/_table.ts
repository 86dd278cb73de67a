// The table every benchmark prints: a measure, its value, and the target or the anchor beside it.
export interface Row {
  measure: string;
  value: string;
  target?: string;
}

export function printTable(rows: Row[]): void {
  const w0 = Math.max(...rows.map((r) => r.measure.length));
  const w1 = Math.max(...rows.map((r) => r.value.length));
  for (const r of rows) process.stdout.write(`${r.measure.padEnd(w0)}  ${r.value.padStart(w1)}  ${r.target ?? ''}\n`);
}

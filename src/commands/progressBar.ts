// A one-line progress bar on stderr (only when stderr is a terminal; otherwise a line per 10 %).
export interface ProgressBar {
  update(percent: number, note?: string): void;
  done(note?: string): void;
}

export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  const width = 30;
  let lastDecile = -1;
  const render = (p: number, note = '') => {
    const pct = Math.max(0, Math.min(100, p));
    if (stream.isTTY) {
      const filled = Math.round((pct / 100) * width);
      stream.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${pct.toFixed(0).padStart(3)}% ${note}\x1b[K`);
    } else if (Math.floor(pct / 10) > lastDecile) {
      lastDecile = Math.floor(pct / 10);
      stream.write(`${label} ${pct.toFixed(0)}% ${note}\n`);
    }
  };
  return {
    update: render,
    done(note = '') {
      render(100, note);
      if (stream.isTTY) stream.write('\n');
    },
  };
}

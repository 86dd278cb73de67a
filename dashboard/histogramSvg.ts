// A bar chart of compatibility scores as inline SVG: drawn on the server, no chart library and
// no script, so it renders under a CSP that forbids scripts and needs no build step.
import { html, type SafeHtml } from './html.ts';

export interface ScoreHistogram {
  /** count per bucket; bucket i covers [lo + i·w, lo + (i+1)·w), the last one includes hi */
  counts: number[];
  lo: number;
  hi: number;
  /** scores outside [lo, hi] (not drawn) */
  outside: number;
}

export interface ChartSize {
  width: number;
  height: number;
}

export const DEFAULT_CHART: ChartSize = { width: 320, height: 110 };

// Room for the axis labels below the bars and the peak count above them.
const AXIS_PX = 14;
const TOP_PX = 12;

const fmt = (x: number): string => (Math.round(x * 1000) / 1000).toString();

export function histogramSvg(h: ScoreHistogram, label: string, size: ChartSize = DEFAULT_CHART): SafeHtml {
  const total = h.counts.reduce((a, b) => a + b, 0);
  const peak = Math.max(0, ...h.counts);
  const n = h.counts.length;
  const plotH = size.height - AXIS_PX - TOP_PX;
  const barW = size.width / n;
  const width = (h.hi - h.lo) / n;
  const bars = h.counts.map((count, i) => {
    const barH = peak === 0 ? 0 : (count / peak) * plotH;
    const from = h.lo + i * width;
    const x = fmt(i * barW + 0.5);
    const y = fmt(TOP_PX + plotH - barH);
    const w = fmt(Math.max(barW - 1, 0.5));
    const title = `${fmt(from)}–${fmt(from + width)}: ${count}`;
    return html`<rect class="bar" data-count="${count}" x="${x}" y="${y}" width="${w}" height="${fmt(barH)}"><title>${title}</title></rect>`;
  });
  const baseline = TOP_PX + plotH;
  const aria = `compatibility scores of ${label}: ${total} matches`;
  return html`<svg class="histogram" role="img" aria-label="${aria}" data-total="${total}"
 width="${size.width}" height="${size.height}" viewBox="0 0 ${size.width} ${size.height}" xmlns="http://www.w3.org/2000/svg">
<text x="${size.width - 2}" y="9" text-anchor="end">peak ${peak}</text>
${bars}
<line x1="0" y1="${baseline}" x2="${size.width}" y2="${baseline}"/>
<text x="0" y="${size.height - 2}">${fmt(h.lo)}</text>
<text x="${size.width / 2}" y="${size.height - 2}" text-anchor="middle">${fmt((h.lo + h.hi) / 2)}</text>
<text x="${size.width}" y="${size.height - 2}" text-anchor="end">${fmt(h.hi)}</text>
</svg>`;
}

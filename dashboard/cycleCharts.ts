// Small bar charts of a group's last cycles as inline SVG, drawn on the server like the score
// histogram (histogramSvg.ts): one bar per cycle, oldest on the left, stacked when a cycle has
// several parts (the phases of its duration), with an optional threshold line (the recall warning
// level). No script, so they render under the dashboard's Content Security Policy.
import { html, type SafeHtml } from './html.ts';

export interface ChartBar {
  /** what the bar's tooltip says first (the cycle) */
  label: string;
  /** stacked parts, bottom first; null: no value (no bar) */
  parts: Array<number | null>;
}

export interface SeriesChart {
  /** the chart's name: its CSS class suffix and aria label */
  name: string;
  title: string;
  /** per stacked part: its name (legend, tooltip) */
  partNames: string[];
  bars: ChartBar[];
  /** the top of the axis; default: the tallest bar */
  max?: number;
  /** a horizontal line at this value; bars whose total is below it are marked `low` */
  threshold?: number;
  format: (x: number) => string;
}

const WIDTH = 300;
const HEIGHT = 110;
const TOP_PX = 12;
const AXIS_PX = 14;

const fmt = (x: number): string => (Math.round(x * 100) / 100).toString();

export function seriesSvg(c: SeriesChart): SafeHtml {
  const totals = c.bars.map((b) => (b.parts.every((p) => p === null) ? null : b.parts.reduce<number>((s, p) => s + (p ?? 0), 0)));
  const peak = c.max ?? Math.max(0, ...totals.map((t) => t ?? 0));
  const plotH = HEIGHT - TOP_PX - AXIS_PX;
  const slot = WIDTH / Math.max(c.bars.length, 1);
  const y = (v: number) => TOP_PX + plotH - (peak > 0 ? (Math.min(v, peak) / peak) * plotH : 0);
  const bars = c.bars.map((b, i) => {
    const total = totals[i];
    if (total === null) return '';
    let base = 0;
    const low = c.threshold !== undefined && total < c.threshold;
    const parts = b.parts.map((p, k) => `${c.partNames[k]} ${p === null ? '–' : c.format(p)}`).join(', ');
    const tip = `${b.label}: ${c.format(total)}${c.partNames.length > 1 ? ` (${parts})` : ''}`;
    const rects = b.parts.map((p, k) => {
      const v = p ?? 0;
      const top = y(base + v);
      const bottom = y(base);
      base += v;
      return html`<rect class="bar part-${k}${low ? ' low' : ''}" x="${fmt(i * slot + 0.5)}" y="${fmt(top)}" width="${fmt(Math.max(slot - 1, 0.5))}"
 height="${fmt(Math.max(bottom - top, total > 0 && v > 0 ? 0.5 : 0))}"></rect>`;
    });
    return html`<g class="cycle" data-value="${total}"><title>${tip}</title>${rects}</g>`;
  });
  const baseline = TOP_PX + plotH;
  const line = c.threshold === undefined ? '' : html`<line class="threshold" x1="0" x2="${WIDTH}" y1="${fmt(y(c.threshold))}" y2="${fmt(y(c.threshold))}"/>`;
  const legend = c.partNames.length > 1 ? html`<div class="legend">${c.partNames.map((n, k) => html`<span class="key part-${k}">${n}</span>`)}</div>` : '';
  return html`<figure class="chart chart-${c.name}"><figcaption>${c.title}</figcaption>
<svg class="series" role="img" aria-label="${c.title}, last ${c.bars.length} cycles" data-bars="${c.bars.length}"
 width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" xmlns="http://www.w3.org/2000/svg">
<text x="${WIDTH - 2}" y="9" text-anchor="end">max ${c.format(peak)}</text>
${bars}${line}
<line class="axis" x1="0" y1="${baseline}" x2="${WIDTH}" y2="${baseline}"/>
<text x="0" y="${HEIGHT - 2}">oldest</text><text x="${WIDTH}" y="${HEIGHT - 2}" text-anchor="end">latest</text>
</svg>${legend}</figure>`;
}

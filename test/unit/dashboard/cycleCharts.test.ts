import { expect } from 'chai';
import { seriesSvg } from '../../../dashboard/cycleCharts.ts';

const EVIL = '<script>x</script>';

describe('cycle charts', () => {
  it('draws a bar per cycle, stacked parts in order, scaled to the tallest; the tooltip is escaped', () => {
    const svg = seriesSvg({
      name: 'duration', title: 'Duration', partNames: ['fetch', 'build'], format: String,
      bars: [{ label: EVIL, parts: [10, 30] }, { label: 'b', parts: [20, 0] }, { label: 'c', parts: [null, null] }],
    }).value;
    expect(svg).to.contain('data-bars="3"');
    const groups = [...svg.matchAll(/<g class="cycle" data-value="([\d.]+)">/g)].map((m) => Number(m[1]));
    expect(groups).to.deep.equal([40, 20]); // the cycle without values draws nothing
    const heights = [...svg.matchAll(/<rect class="bar part-(\d)[^"]*"[^>]*height="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(heights.map((h) => h[0])).to.deep.equal([0, 1, 0, 1]);
    expect(heights[1][1] / heights[0][1]).to.be.closeTo(3, 0.05);
    expect(heights[2][1] / (heights[0][1] + heights[1][1])).to.be.closeTo(0.5, 0.02);
    expect(svg).not.to.contain('<script>');
    expect(svg).to.contain('class="key part-1">build');
  });

  it('draws the threshold and marks the bars below it', () => {
    const svg = seriesSvg({
      name: 'recall', title: 'Recall', partNames: ['recall'], format: String, max: 1, threshold: 0.9,
      bars: [{ label: 'a', parts: [0.95] }, { label: 'b', parts: [0.5] }],
    }).value;
    expect(svg).to.contain('class="threshold"');
    expect([...svg.matchAll(/<rect class="bar part-0( low)?"/g)].map((m) => Boolean(m[1]))).to.deep.equal([false, true]);
  });

  it('draws nothing out of range for empty or zero series', () => {
    const svg = seriesSvg({ name: 'edges', title: 'Edges', partNames: ['edges'], format: String, bars: [{ label: 'a', parts: [0] }] }).value;
    expect(svg).not.to.contain('NaN').and.not.to.contain('Infinity');
    expect(seriesSvg({ name: 'e', title: 'E', partNames: ['e'], format: String, bars: [] }).value).to.contain('data-bars="0"');
  });
});

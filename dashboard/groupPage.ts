// A group's page: match quality over its last cycles (charts of duration, edges and recall), its
// score histogram, its last perfect run, a form that explains a pair's score key by key (the same
// explanation as `matchflow explain`), links to the explanations of its best pairs, and its
// effective settings. Server-rendered, no script: the form is a GET of this page.
import { seriesSvg } from './cycleCharts.ts';
import type { CycleQuality, GroupPageData } from './groupData.ts';
import { histogramSvg } from './histogramSvg.ts';
import { html, SafeHtml } from './html.ts';
import { page } from './layout.ts';
import { formatDuration } from './opsPage.ts';
import type { DashboardUser } from './users.ts';
import { RULE_TEXT, type ListPlace, type PairExplanationView } from '../src/potential/explainPair.ts';

const STYLE = `
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
figure.chart { margin: 0; background: #fff; border: 1px solid #dde3ea; padding: 6px 8px; }
figure.chart figcaption { font-weight: 600; font-size: 13px; margin-bottom: 4px; }
svg.series rect.bar { fill: #3f7fbf; }
svg.series rect.part-1 { fill: #7fb069; } svg.series rect.part-2 { fill: #e0a458; } svg.series rect.part-3 { fill: #9b6fb0; }
svg.series rect.low { fill: #c0392b; }
svg.series line.axis { stroke: #9aa5b1; } svg.series line.threshold { stroke: #c0392b; stroke-dasharray: 4 3; }
svg.series text { font-size: 10px; fill: #52606d; }
.legend { font-size: 11px; color: #52606d; } .legend .key::before { content: ''; display: inline-block; width: 9px; height: 9px; margin: 0 3px 0 8px; }
.legend .part-0::before { background: #3f7fbf; } .legend .part-1::before { background: #7fb069; }
.legend .part-2::before { background: #e0a458; } .legend .part-3::before { background: #9b6fb0; }
.warning { background: #fff1c2; border: 1px solid #e0b84c; color: #6d4c00; padding: 8px 12px; margin: 8px 0; }
form.explain input { padding: 4px; width: 16em; } form.explain button { padding: 4px 12px; }
.total { font-size: 15px; margin: 8px 0; } .total strong { font-variant-numeric: tabular-nums; }
pre.settings { background: #fff; border: 1px solid #dde3ea; padding: 8px; overflow-x: auto; }
dl.figures { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; } dl.figures dt { color: #52606d; } dl.figures dd { margin: 0; }
`;

const num = (x: number | null): string => (x === null ? '–' : x.toLocaleString('en-US'));
const share = (x: number | null): string => (x === null ? '–' : (Math.round(x * 10000) / 10000).toString());
const time = (d: Date | null): string => (d ? d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '–');

function charts(cycles: CycleQuality[], warnBelow: number): SafeHtml {
  if (cycles.length === 0) return html`<p class="muted">No cycle recorded yet: the charts appear after the group's first potential cycle.</p>`;
  const label = (c: CycleQuality) => `${time(c.finishedAt)} (${c.mode.toLowerCase()})`;
  const duration = seriesSvg({
    name: 'duration', title: 'Duration per phase', partNames: ['fetch', 'build', 'flush', 'finalize'], format: (ms) => formatDuration(ms),
    bars: cycles.map((c) => ({ label: label(c), parts: [c.ms.fetch, c.ms.build, c.ms.flush, c.ms.finalize] })),
  });
  const edges = seriesSvg({
    name: 'edges', title: 'Edges written', partNames: ['edges'], format: (x) => num(Math.round(x)),
    bars: cycles.map((c) => ({ label: label(c), parts: [c.edgesWritten] })),
  });
  const recall = seriesSvg({
    name: 'recall', title: `Recall estimate (warning below ${warnBelow})`, partNames: ['recall'], format: share, max: 1, threshold: warnBelow,
    bars: cycles.map((c) => ({ label: label(c), parts: [c.recall] })),
  });
  return html`<div class="charts">${duration}${edges}${recall}</div>`;
}

function cyclesTable(cycles: CycleQuality[]): SafeHtml {
  if (cycles.length === 0) return html``;
  const row = (c: CycleQuality) => html`<tr><td><code>${c.cycleId}</code></td><td>${c.mode}</td><td>${time(c.finishedAt)}</td>
<td class="num">${num(c.nodes)}</td><td class="num">${num(c.newNodes)}</td>
<td class="num">${num(c.pairsScored)}</td><td class="num">${num(c.pairsPossible)}</td>
<td class="num">${share(c.reductionRatio)}</td><td class="num">${num(c.edgesWritten)}</td><td class="num">${num(c.edges)}</td>
<td class="num">${c.recall === null ? '–' : html`${share(c.recall)} <span class="muted">(${c.recallSample} nodes)</span>`}</td></tr>`;
  return html`<div class="scroll"><table id="cycles"><thead><tr><th>cycle</th><th>mode</th><th>finished</th><th>nodes</th><th>new</th>
<th>pairs scored</th><th>all pairs</th><th>reduction ratio</th><th>edges written</th><th>edges</th><th>recall</th></tr></thead>
<tbody>${[...cycles].reverse().slice(0, 10).map(row)}</tbody></table></div>`;
}

function perfectFigures(d: GroupPageData): SafeHtml {
  const p = d.perfect;
  if (!p) return html`<p class="muted" id="perfect">No perfect run yet.</p>`;
  return html`<dl class="figures" id="perfect">
<dt>run</dt><dd><span class="status status-${p.status ?? 'none'}">${p.status ?? '–'}</span> ${p.strategy ?? ''} · finished ${time(p.finishedAt)}</dd>
<dt>pairs</dt><dd class="pairs">${num(p.pairs)}</dd>
<dt>total score</dt><dd class="total-score">${share(p.totalScore)}</dd>
<dt>nodes left unmatched</dt><dd class="unmatched">${p.nodes === null ? '–' : `${num(p.unmatched)} of ${num(p.nodes)}`}</dd></dl>`;
}

function explainLink(d: GroupPageData, a: string, b: string): string {
  return `/ops/groups/${d.group.id}?${new URLSearchParams({ a, b }).toString()}#explain`;
}

function placeText(of: string, other: string, p: ListPlace): string {
  if (p.rank === null) return p.listLength === null ? `${of} has no stored list` : `${other} is not in ${of}'s stored list (${p.listLength} entries)`;
  return p.inTopK ? `${other} is #${p.rank} in ${of}'s top-${p.k}` : `${other} is #${p.rank} in ${of}'s list, in its reserve beyond the top-${p.k}`;
}

function explanationBlock(d: GroupPageData): SafeHtml {
  if (d.explainError) return html`<p class="error" role="alert">${d.explainError}</p>`;
  const v: PairExplanationView | null = d.explanation;
  if (!v) return html``;
  const stored = v.places.a.storedScore ?? v.places.b.storedScore;
  const rows = v.keys.map((k) => html`<tr data-key="${k.key}"><td>${k.key}</td><td>${k.a ?? '–'}</td><td>${k.b ?? '–'}</td><td>${RULE_TEXT[k.rule]}</td>
<td class="num">${k.weight}</td><td class="num">${share(k.share)}</td><td class="num">${share(k.contribution)}</td></tr>`);
  return html`<div id="explanation" data-score="${String(v.score)}" data-stored="${stored === null ? '' : String(stored)}">
<p>A = <strong>${v.a}</strong>, B = <strong>${v.b}</strong>, scorer ${v.scorer}</p>
<table><thead><tr><th>key</th><th>A</th><th>B</th><th>rule</th><th>weight</th><th>share</th><th>adds</th></tr></thead><tbody>${rows}</tbody></table>
<p class="total">score <strong id="explain-score">${String(v.score)}</strong> <span class="muted">(matched weight ${share(v.matched)} of ${share(v.union)};
kept above ${v.threshold})</span></p>
<ul>
<li id="explain-stored">${stored === null ? 'no potential_matches row of this pair'
    : `stored score ${stored}${v.storedEqual ? ': equal to the score, bit for bit' : ': differs from the score (see below)'}`}</li>
<li>${placeText('A', 'B', v.places.a)}; ${placeText('B', 'A', v.places.b)}</li>
${v.lshCandidates === null ? '' : html`<li>${v.lshCandidates ? 'the two share a MinHash band (LSH candidates)'
    : 'no shared MinHash band: LSH never scores them'}</li>`}
${v.notScored ? html`<li>${v.notScored}</li>` : ''}
<li>perfect stage: ${v.perfect.chosen ? `chosen${v.perfect.strategy ? ` by ${v.perfect.strategy}` : ''} (score ${v.perfect.score})` : 'not chosen'}</li>
${v.caveats.map((c) => html`<li class="warning">${c}</li>`)}
</ul></div>`;
}

function bestPairsTable(d: GroupPageData): SafeHtml {
  if (d.bestPairs.length === 0) return html`<p class="muted">No potential matches yet.</p>`;
  return html`<table id="best-pairs"><thead><tr><th>A</th><th>B</th><th>score</th><th></th></tr></thead><tbody>
${d.bestPairs.map((p) => html`<tr><td>${p.a}</td><td>${p.b}</td><td class="num">${share(p.score)}</td>
<td><a class="explain-link" href="${explainLink(d, p.a, p.b)}">explain</a></td></tr>`)}</tbody></table>`;
}

export function renderGroupPage(d: GroupPageData, user: DashboardUser): SafeHtml {
  const label = `${d.domainName} / ${d.group.name}`;
  const last = d.cycles.at(-1);
  const warning = last && last.recall !== null && last.recall < d.recallWarnBelow
    ? html`<p class="warning" id="recall-warning" role="alert">The last cycle kept ${share(last.recall)} of its sample's exact top-K
(QUALITY_RECALL_WARN_BELOW is ${d.recallWarnBelow}): its candidate strategy misses matches. Widen the LSH settings (more bands, a lower
similarity threshold) or use the flat strategy.</p>`
    : '';
  const h = d.histogram;
  const asked = d.asked ?? { a: '', b: '' };
  return page(label, html`<style>${new SafeHtml(STYLE)}</style>
<p><a href="/ops">← Ops</a></p>
<h1>${label}</h1>
<p class="muted">${d.group.matchType} · group id <code>${d.group.id}</code></p>
${warning}
<h2>Match quality, last ${d.cycles.length} cycle(s)</h2>
${charts(d.cycles, d.recallWarnBelow)}
${cyclesTable(d.cycles)}
<h2>Compatibility scores</h2>
${histogramSvg(h, label)}${h.outside ? html`<div class="muted">${h.outside} outside [${h.lo}, ${h.hi}]</div>` : ''}
<h2>Last perfect run</h2>
${perfectFigures(d)}
<h2 id="explain">Explain a score</h2>
<form class="explain" method="get" action="/ops/groups/${d.group.id}#explain">
<label>A <input name="a" value="${asked.a}" required placeholder="reference id"></label>
<label>B <input name="b" value="${asked.b}" required placeholder="reference id"></label>
<button type="submit">Explain</button></form>
${explanationBlock(d)}
<h2>Best pairs</h2>
${bestPairsTable(d)}
<h2>Settings</h2>
${d.settingsYaml !== null ? html`<pre class="settings">${d.settingsYaml}</pre>`
    : html`<p class="error">The stored settings do not validate: ${d.settingsProblem}</p>`}
<p class="muted">Change them with <code>matchflow groups apply FILE.yaml</code> (this text is such a file).</p>`, { user });
}

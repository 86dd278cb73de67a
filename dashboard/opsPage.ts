// The ops page: server-rendered HTML of OpsData. Every value goes through the html template,
// so group names, failure reasons and lock owners render as text whatever they contain.
import { histogramSvg } from './histogramSvg.ts';
import { html, type SafeHtml } from './html.ts';
import { page } from './layout.ts';
import { QUEUE_STATES, type GroupOps, type HoldView, type OpsData, type QueueOps, type RunSummary } from './opsData.ts';
import type { GroupBreaker } from '../src/shared/circuitBreakerStore.ts';
import type { DashboardUser } from './users.ts';

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${Math.round(s - m * 60)} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${m - h * 60} m`;
}

const num = (n: number | null): string => (n === null ? '–' : n.toLocaleString('en-US'));
const time = (d: Date | null): string => (d ? d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '–');

function duration(r: RunSummary, now: Date): string {
  if (!r.startedAt) return '–';
  if (r.finishedAt) return formatDuration(r.finishedAt.getTime() - r.startedAt.getTime());
  return r.status === 'PENDING' ? `running ${formatDuration(now.getTime() - r.startedAt.getTime())}` : '–';
}

function runCell(r: RunSummary | null, now: Date, edgesLabel: string): SafeHtml {
  if (!r) return html`<td class="run muted">never ran</td>`;
  const strategy = r.strategy ? html` <span class="muted">${r.strategy}</span>` : '';
  const size = html`<span class="nodes">${num(r.nodes)}</span> nodes · <span class="edges">${num(r.edges)}</span> ${edgesLabel}`;
  return html`<td class="run"><span class="status status-${r.status ?? 'none'}">${r.status ?? '–'}</span>${strategy}
${r.failureReason ? html`<div class="reason">${r.failureReason}</div>` : ''}
<div>cycle <code>${r.cycleId ?? '–'}</code></div>
<div><span class="duration">${duration(r, now)}</span> · ${size}</div>
<div class="muted">${r.finishedAt ? 'finished' : 'started'} ${time(r.finishedAt ?? r.startedAt)}</div></td>`;
}

function groupRow(g: GroupOps, now: Date): SafeHtml {
  const label = `${g.domainName} / ${g.groupName}`;
  const h = g.histogram;
  const outside = h.outside ? html`<div class="muted">${h.outside} outside [${h.lo}, ${h.hi}]</div>` : '';
  return html`<tr class="group" data-group-id="${g.groupId}">
<td>${g.domainName}</td><td class="group-name"><a href="/ops/groups/${g.groupId}">${g.groupName}</a><div class="muted">${g.matchType}</div></td>
${runCell(g.potential, now, 'edges')}${runCell(g.perfect, now, 'pairs')}
<td>${histogramSvg(h, label)}${outside}</td>
</tr>`;
}

function groupsTable(data: OpsData): SafeHtml {
  if (data.groups.length === 0) return html`<p class="muted">No groups yet: import nodes (matchflow import) or run the demo.</p>`;
  const now = data.generatedAt;
  const shown = data.totalGroups > data.groups.length
    ? html`<p class="muted">Showing ${data.groups.length} of ${data.totalGroups} groups (DASHBOARD_MAX_GROUPS).</p>`
    : '';
  return html`${shown}
<div class="scroll"><table id="groups"><thead>
<tr><th>domain</th><th>group</th><th>last potential run</th><th>last perfect run</th><th>compatibility scores</th></tr>
</thead><tbody>${data.groups.map((g) => groupRow(g, now))}</tbody></table></div>`;
}

function queueRow(q: QueueOps): SafeHtml {
  const state = q.paused ? html`<span class="status status-PENDING">paused</span>` : 'running';
  return html`<tr><td>${q.name}</td><td>${state}</td>${QUEUE_STATES.map((s) => html`<td class="num">${num(q.counts[s] ?? 0)}</td>`)}</tr>`;
}

function queuesTable(queues: QueueOps[]): SafeHtml {
  return html`<table id="queues"><thead><tr><th>queue</th><th>state</th>${QUEUE_STATES.map((s) => html`<th>${s}</th>`)}</tr></thead><tbody>
${queues.map(queueRow)}
</tbody></table>`;
}

function holdRow(h: HoldView): SafeHtml {
  const expires = h.expiresInMs === null ? '–' : formatDuration(h.expiresInMs);
  return html`<tr><td>${h.kind}</td><td><code>${h.name}</code></td><td>${h.owner}</td>
<td class="num">${h.token ?? '–'}</td><td class="num">${expires}</td><td>${h.detail}</td></tr>`;
}

function holdsTable(holds: HoldView[]): SafeHtml {
  if (holds.length === 0) return html`<p class="muted" id="holds">Nothing is locked right now.</p>`;
  return html`<table id="holds"><thead><tr><th>kind</th><th>name</th><th>held by</th><th>fencing token</th><th>expires in</th><th></th></tr></thead><tbody>
${holds.map(holdRow)}
</tbody></table>`;
}

function breakersTable(breakers: GroupBreaker[], groups: GroupOps[], now: Date): SafeHtml {
  if (breakers.length === 0) return html`<p class="muted" id="breakers">No group has failed recently.</p>`;
  const names = new Map(groups.map((g) => [g.groupId, `${g.domainName} / ${g.groupName}`]));
  const row = (b: GroupBreaker): SafeHtml => {
    const state = html`<span class="status status-${b.status}">${b.status}</span>`;
    const reopens = b.reopensAt === null ? '–' : formatDuration(b.reopensAt - now.getTime());
    const group = names.get(b.groupId) ?? b.groupId;
    return html`<tr><td>${group}</td><td>${state}</td><td class="num">${b.consecutiveFailures}</td><td class="num">${reopens}</td></tr>`;
  };
  return html`<table id="breakers"><thead><tr><th>group</th><th>state</th><th>consecutive failures</th><th>reopens in</th></tr></thead><tbody>
${breakers.map(row)}
</tbody></table>`;
}

export function renderOpsPage(data: OpsData, user: DashboardUser, refreshSec = 0): SafeHtml {
  const refreshed = refreshSec ? html`, refreshed every ${refreshSec} s` : '';
  return page('Ops', html`<h1>Operations</h1>
<p class="muted">As of ${time(data.generatedAt)}${refreshed}. Pause, retry and inspect jobs on the <a href="/board">queues board</a>.</p>
<h2>Queues</h2>${queuesTable(data.queues)}
<h2>Groups</h2>${groupsTable(data)}
<h2>Locks and semaphores held now</h2>${holdsTable(data.holds)}
<h2>Circuit breakers</h2>${breakersTable(data.breakers, data.groups, data.generatedAt)}`, { user, refreshSec });
}

import { expect } from 'chai';
import { escapeHtml, html } from '../../../dashboard/html.ts';
import { histogramSvg } from '../../../dashboard/histogramSvg.ts';
import { formatDuration, renderOpsPage } from '../../../dashboard/opsPage.ts';
import { holdsFromSnapshot } from '../../../dashboard/holds.ts';
import type { OpsData } from '../../../dashboard/opsData.ts';
import { parseDashboardUsers } from '../../../dashboard/users.ts';

const EVIL = `<script>alert("x")</script>&'`;

describe('dashboard html', () => {
  it('escapes interpolations, keeps SafeHtml, flattens arrays, drops null/false', () => {
    expect(escapeHtml(EVIL)).to.equal('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
    const inner = html`<b>${EVIL}</b>`;
    expect(html`<p title="${EVIL}">${inner}${[1, '<i>']}${null}${false}${undefined}${0}</p>`.value)
      .to.equal(`<p title="${escapeHtml(EVIL)}"><b>${escapeHtml(EVIL)}</b>1&lt;i&gt;0</p>`);
  });
});

describe('histogram svg', () => {
  it('draws one bar per bucket, scaled to the peak, with counts and an escaped label', () => {
    const svg = histogramSvg({ counts: [0, 5, 10, 2], lo: 0, hi: 1, outside: 0 }, EVIL, { width: 200, height: 100 }).value;
    const bars = [...svg.matchAll(/<rect class="bar" data-count="(\d+)"[^>]* height="([\d.]+)"/g)];
    expect(bars.map((m) => Number(m[1]))).to.deep.equal([0, 5, 10, 2]);
    const heights = bars.map((m) => Number(m[2]));
    expect(heights[0]).to.equal(0);
    expect(heights[2]).to.be.greaterThan(heights[1]);
    expect(heights[1] / heights[2]).to.be.closeTo(0.5, 0.01);
    expect(svg).to.contain('data-total="17"').and.contain('0.25–0.5: 5');
    expect(svg).not.to.contain('<script>');
  });

  it('draws an empty chart without dividing by zero', () => {
    const svg = histogramSvg({ counts: [0, 0], lo: 0, hi: 1, outside: 0 }, 'g').value;
    expect(svg).not.to.contain('NaN').and.not.to.contain('Infinity');
  });
});

describe('ops page', () => {
  const user = parseDashboardUsers(['alice:pw:operator'])[0];
  const started = new Date('2026-01-01T10:00:00Z');
  const data: OpsData = {
    generatedAt: new Date('2026-01-01T10:05:00Z'),
    totalGroups: 1,
    queues: [{ name: 'potential', paused: true, counts: { waiting: 3, failed: 1 } }],
    holds: holdsFromSnapshot({
      locks: [{ name: `group-cycle:${EVIL}`, token: 7, owner: 'host:1', since: 0, ttlMs: 6000, expiresInMs: 4000 }],
      leaders: [{ name: 'scheduler', token: 2, owner: 'producer-1', since: 0, ttlMs: 15000, expiresInMs: 9000 }],
      semaphores: [{ name: 'domains', lastToken: 3, limit: 2, holders: [{ token: 3, owner: 'w:9', since: 0, ttlMs: 6000, expiresInMs: 5000 }], waiting: 1 }],
    }),
    breakers: [{ groupId: 'g1', status: 'open', consecutiveFailures: 5, openedAt: 0, reopensAt: new Date('2026-01-01T10:20:00Z').getTime() }],
    groups: [{
      domainId: 'd1', domainName: 'dom', groupId: 'g1', groupName: EVIL, matchType: 'SYMMETRIC',
      potential: {
        cycleId: 'cyc-1', status: 'COMPLETED', startedAt: started, finishedAt: new Date(started.getTime() + 83_000),
        nodes: 1200, edges: 45000, failureReason: null, strategy: null,
      },
      perfect: {
        cycleId: 'cyc-2', status: 'FAILED', startedAt: started, finishedAt: null,
        nodes: null, edges: null, failureReason: `boom ${EVIL}`, strategy: 'greedy',
      },
      histogram: { counts: [1, 2, 3], lo: 0, hi: 1, outside: 4 },
    }],
  };

  it('shows runs, holds, breakers and a histogram, with every user-provided string escaped', () => {
    const page = renderOpsPage(data, user, 30).value;
    expect(page).to.contain('<meta http-equiv="refresh" content="30">');
    expect(renderOpsPage(data, user, 0).value).not.to.contain('http-equiv="refresh"');
    expect(page).not.to.contain('<script>');
    expect(page).to.contain(escapeHtml(EVIL));
    expect(page).to.contain('cyc-1').and.contain('1 m 23 s').and.contain('1,200').and.contain('45,000');
    expect(page).to.contain('status-FAILED').and.contain(`boom ${escapeHtml(EVIL)}`).and.contain('greedy');
    expect(page).to.contain('<svg class="histogram"').and.contain('4 outside [0, 1]');
    expect(page).to.contain('scheduler').and.contain('producer-1').and.contain('permit 1 of 1 held (limit 2), 1 waiting');
    expect(page).to.contain('status-open').and.contain(`dom / ${escapeHtml(EVIL)}`).and.contain('15 m 0 s');
    expect(page).to.contain('paused');
  });

  it('formats durations', () => {
    expect([formatDuration(250), formatDuration(1500), formatDuration(83_000), formatDuration(3_900_000)])
      .to.deep.equal(['250 ms', '1.5 s', '1 m 23 s', '1 h 5 m']);
  });
});

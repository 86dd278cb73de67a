// The frame of the dashboard's own pages (login, ops): no scripts at all, so the Content
// Security Policy can forbid them outright.
import type { Response } from 'express';
import { html, SafeHtml } from './html.ts';
import type { DashboardUser } from './users.ts';

export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2733; background: #f4f6f8; }
header { background: #1d2733; color: #fff; padding: 10px 20px; display: flex; gap: 20px; align-items: center; }
header a { color: #cfe3ff; text-decoration: none; }
header .who { margin-left: auto; color: #aab6c4; }
main { padding: 16px 20px; }
h1 { font-size: 20px; margin: 0 0 12px; }
h2 { font-size: 16px; margin: 24px 0 8px; }
table { border-collapse: collapse; background: #fff; width: 100%; }
.scroll { overflow-x: auto; }
th, td { border: 1px solid #dde3ea; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #eef2f6; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font-size: 12px; }
.status { padding: 1px 6px; border-radius: 3px; font-size: 12px; font-weight: 600; }
.status-COMPLETED, .status-closed { background: #d8f3dc; color: #1b5e20; }
.status-FAILED, .status-open { background: #ffd6d6; color: #8b0000; }
.status-PENDING, .status-half-open { background: #fff1c2; color: #6d4c00; }
.muted { color: #7a8794; }
.reason { color: #8b0000; font-size: 12px; max-width: 24em; overflow-wrap: anywhere; }
td.run div { margin-top: 2px; }
svg.histogram rect.bar { fill: #3f7fbf; }
svg.histogram text { font-size: 10px; fill: #52606d; }
svg.histogram line { stroke: #9aa5b1; }
form.login { background: #fff; max-width: 320px; margin: 60px auto; padding: 20px; border: 1px solid #dde3ea; }
form.login label { display: block; margin: 8px 0 4px; }
form.login input { width: 100%; box-sizing: border-box; padding: 6px; }
form.login button { margin-top: 14px; padding: 6px 14px; }
.error { color: #8b0000; }
`;

export interface PageOptions {
  user?: DashboardUser;
  /** reload the page every this many seconds (0 or absent: never) */
  refreshSec?: number;
}

export function page(title: string, body: SafeHtml, opts: PageOptions = {}): SafeHtml {
  const { user, refreshSec } = opts;
  const nav = user
    ? html`<a href="/ops">Ops</a><a href="/board">Queues</a><span class="who">${user.name} (${user.role})</span><a href="/logout">Log out</a>`
    : '';
  return html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${refreshSec ? html`<meta http-equiv="refresh" content="${refreshSec}">` : ''}<title>${title} · matchflow</title><style>${new SafeHtml(STYLE)}</style></head>
<body><header><strong>matchflow</strong>${nav}</header><main>${body}</main></body></html>`;
}

/** Sends one of our own pages with the headers that keep it from being framed or scripted. */
export function sendPage(res: Response, status: number, doc: SafeHtml): void {
  res.status(status)
    .set('Content-Type', 'text/html; charset=utf-8')
    .set('Content-Security-Policy', CONTENT_SECURITY_POLICY)
    .send(doc.value);
}

// Cross-site request forgery: a request that may change something (any method but GET, HEAD and
// OPTIONS) must come from the dashboard's own pages. Browsers say where a request comes from —
// Sec-Fetch-Site (all current browsers) or at least Origin on every such request — so a request
// saying another site is refused; one saying neither is not from a browser (curl, a script),
// cannot ride a browser's cookies or cached credentials, and passes. SameSite=Strict cookies
// stay as a second line.
import type { Request, RequestHandler } from 'express';
import { logger } from '../src/shared/logger.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether the request says it comes from this origin; null when it says nothing (not a browser). */
export function fromSameOrigin(req: Request): boolean | null {
  const site = req.get('sec-fetch-site');
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  const origin = req.get('origin');
  if (origin === undefined) return null;
  try {
    return origin !== 'null' && new URL(origin).host === req.host;
  } catch {
    return false;
  }
}

export const sameOriginWrites: RequestHandler = (req, res, next) => {
  if (SAFE_METHODS.has(req.method) || fromSameOrigin(req) !== false) return next();
  logger().warn({ method: req.method, path: req.originalUrl, origin: req.get('origin'), fetchSite: req.get('sec-fetch-site'), ip: req.ip },
    'dashboard cross-origin request refused');
  res.status(403).json({ error: 'cross-origin request refused' });
};

/** A browser, by what browsers send: it must not get an HTTP Basic challenge (it would cache the credentials). */
export function isBrowser(req: Request): boolean {
  return req.get('sec-fetch-mode') !== undefined || req.get('sec-fetch-site') !== undefined || req.get('origin') !== undefined
    || /\bMozilla\//.test(req.get('user-agent') ?? '');
}

// Who is asking: a login form that sets a signed session cookie (for browsers) or HTTP Basic
// credentials (for scripts). Every other route of the dashboard sits behind requireUser.
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { logger } from '../src/shared/logger.ts';
import { html } from './html.ts';
import { page, sendPage } from './layout.ts';
import { issueSession, parseCookies, SESSION_COOKIE, verifySession } from './session.ts';
import { authenticate, type DashboardUser, type Role } from './users.ts';

export interface AuthSettings {
  users: readonly DashboardUser[];
  /** HMAC key of the session cookies */
  secret: Buffer;
  sessionTtlMs: number;
  bodyLimit: string;
}

/** The authenticated user of this request (set by requireUser). */
export function currentUser(res: Response): DashboardUser {
  return res.locals.user as DashboardUser;
}

/** Only a local absolute path may be a redirect target after login (no open redirect). */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[^\\\s]*$/.test(next) ? next : '/';
}

function fromBasicAuth(req: Request, settings: AuthSettings): DashboardUser | null | undefined {
  const header = req.headers.authorization;
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return authenticate(settings.users, decoded.slice(0, colon), decoded.slice(colon + 1));
}

function fromCookie(req: Request, settings: AuthSettings): DashboardUser | null {
  const token = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
  return token ? verifySession(settings.secret, token, settings.users, Date.now()) : null;
}

const wantsHtml = (req: Request): boolean => req.method === 'GET' && !req.path.includes('/api/') && (req.accepts(['html', 'json']) === 'html');

/** Lets authenticated requests through; sends browsers to the login form and scripts a 401. */
export function requireUser(settings: AuthSettings): RequestHandler {
  return (req, res, next) => {
    const basic = fromBasicAuth(req, settings);
    const user = basic === undefined ? fromCookie(req, settings) : basic;
    if (user) {
      res.locals.user = user;
      return next();
    }
    if (wantsHtml(req)) return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    res.status(401).set('WWW-Authenticate', 'Basic realm="matchflow dashboard", charset="UTF-8"').json({ error: 'authentication required' });
  };
}

/** Only users with this role pass; others get 403. */
export function requireRole(role: Role): RequestHandler {
  return (req, res, next) => {
    if (currentUser(res).role === role) return next();
    refused(req, res);
    res.status(403).json({ error: `this needs the ${role} role` });
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function refused(req: Request, res: Response): void {
  const user = currentUser(res);
  logger().warn({ user: user.name, role: user.role, method: req.method, path: req.originalUrl }, 'dashboard request refused (role)');
}

/** The audit trail of queue changes: who paused, retried, cleaned or promoted what. */
export function logMutations(req: Request, res: Response, next: NextFunction): void {
  if (!SAFE_METHODS.has(req.method)) {
    logger().info({ user: currentUser(res).name, method: req.method, path: req.originalUrl }, 'dashboard queue action');
  }
  next();
}

/** Refuses any request that could change a queue (pause, retry, promote, clean, …) from a non-operator. */
export function refuseMutationsUnlessOperator(req: Request, res: Response, next: NextFunction): void {
  if (SAFE_METHODS.has(req.method) || currentUser(res).role === 'operator') return next();
  refused(req, res);
  res.status(403).json({ error: 'read-only users cannot change queues or jobs' });
}

function loginPage(next: string, failed: boolean) {
  return page('Log in', html`<form class="login" method="post" action="/login">
<h1>Log in</h1>
${failed ? html`<p class="error" role="alert">Unknown user or wrong password.</p>` : ''}
<input type="hidden" name="next" value="${next}">
<label for="name">User</label><input id="name" name="name" autocomplete="username" required autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Log in</button>
</form>`);
}

function sessionCookie(req: Request, value: string, maxAgeSec: number): string {
  // SameSite=Strict keeps other sites from riding the session (the board's mutations are PUTs).
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSec}${req.secure ? '; Secure' : ''}`;
}

/** GET/POST /login and GET/POST /logout. */
export function authRoutes(settings: AuthSettings): Router {
  const router = express.Router();
  router.get('/login', (req, res) => sendPage(res, 200, loginPage(safeNext(req.query.next), false)));
  router.post('/login', express.urlencoded({ extended: false, limit: settings.bodyLimit }), (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(body.next);
    const user = typeof body.name === 'string' && typeof body.password === 'string'
      ? authenticate(settings.users, body.name, body.password) : null;
    if (!user) {
      logger().warn({ user: String(body.name ?? '').slice(0, 64), ip: req.ip }, 'dashboard login failed');
      return sendPage(res, 401, loginPage(next, true));
    }
    logger().info({ user: user.name, role: user.role, ip: req.ip }, 'dashboard login');
    const token = issueSession(settings.secret, user, Date.now(), settings.sessionTtlMs);
    res.set('Set-Cookie', sessionCookie(req, token, Math.floor(settings.sessionTtlMs / 1000))).redirect(303, next);
  });
  const logout: RequestHandler = (req, res) => {
    res.set('Set-Cookie', sessionCookie(req, '', 0)).redirect(303, '/login');
  };
  router.get('/logout', logout);
  router.post('/logout', logout);
  return router;
}

// Who is asking: a login form that sets a signed session cookie (for browsers) or HTTP Basic
// credentials (for scripts), both throttled against password guessing. Every other route of the
// dashboard sits behind requireUser.
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { logger } from '../src/shared/logger.ts';
import { html } from './html.ts';
import { page, sendPage } from './layout.ts';
import type { LoginThrottle } from './loginThrottle.ts';
import { isBrowser } from './sameOrigin.ts';
import { issueSession, parseCookies, SESSION_COOKIE, verifySession } from './session.ts';
import type { SessionGenerations } from './sessionGenerations.ts';
import { authenticate, type DashboardUser, type Role } from './users.ts';

export interface AuthSettings {
  users: readonly DashboardUser[];
  /** HMAC key of the session cookies */
  secret: Buffer;
  sessionTtlMs: number;
  bodyLimit: string;
  /** whether the session cookie set in answer to this request gets the Secure attribute */
  secureCookie: (req: Request) => boolean;
  throttle: LoginThrottle;
  sessions: SessionGenerations;
}

/** The authenticated user of this request (set by requireUser). */
export function currentUser(res: Response): DashboardUser {
  return res.locals.user as DashboardUser;
}

/** Only a local absolute path may be a redirect target after login (no open redirect). */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[^\\\s]*$/.test(next) ? next : '/';
}

type LoginOutcome = { kind: 'ok'; user: DashboardUser } | { kind: 'failed' } | { kind: 'throttled'; waitMs: number };

/**
 * One password check, by the form or by HTTP Basic: refused while the name or the address is
 * locked out (loginThrottle.ts), and every failure is logged with the client's address.
 */
async function attemptLogin(settings: AuthSettings, req: Request, name: string, password: string, via: 'form' | 'basic'): Promise<LoginOutcome> {
  const ip = req.ip ?? 'unknown';
  const user = name.slice(0, 64);
  const waitMs = await settings.throttle.waitMs(name, ip);
  if (waitMs > 0) {
    logger().warn({ user, ip, via, retryAfterSec: Math.ceil(waitMs / 1000) }, 'dashboard login refused: too many failed logins');
    return { kind: 'throttled', waitMs };
  }
  const found = authenticate(settings.users, name, password);
  if (!found) {
    const r = await settings.throttle.recordFailure(name, ip);
    logger().warn({ user, ip, via, path: req.originalUrl, userFailures: r.userFailures, addressFailures: r.addressFailures,
      lockedForSec: Math.ceil(r.lockedForMs / 1000) }, 'dashboard login failed');
    return { kind: 'failed' };
  }
  await settings.throttle.recordSuccess(name);
  return { kind: 'ok', user: found };
}

function basicCredentials(header: string): { name: string; password: string } | null {
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { name: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

async function fromCookie(req: Request, settings: AuthSettings): Promise<DashboardUser | null> {
  const token = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
  const session = token ? verifySession(settings.secret, token, settings.users, Date.now()) : null;
  if (!session) return null;
  return session.generation === (await settings.sessions.current(session.user.name)) ? session.user : null;
}

const wantsHtml = (req: Request): boolean => req.method === 'GET' && !req.path.includes('/api/') && (req.accepts(['html', 'json']) === 'html');

function tooMany(res: Response, waitMs: number): void {
  res.status(429).set('Retry-After', String(Math.ceil(waitMs / 1000))).json({ error: 'too many failed logins: try again later' });
}

/**
 * Lets authenticated requests through; sends browsers to the login form and scripts a 401. The
 * HTTP Basic challenge goes to scripts only: a browser answering it would cache the credentials
 * and send them with every request, other sites' forged ones included.
 */
export function requireUser(settings: AuthSettings): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    let user: DashboardUser | null = null;
    if (header?.startsWith('Basic ')) {
      const creds = basicCredentials(header);
      const outcome = creds ? await attemptLogin(settings, req, creds.name, creds.password, 'basic') : { kind: 'failed' as const };
      if (outcome.kind === 'throttled') return tooMany(res, outcome.waitMs);
      if (outcome.kind === 'ok') user = outcome.user;
    } else {
      user = await fromCookie(req, settings);
    }
    if (user) {
      res.locals.user = user;
      return next();
    }
    if (wantsHtml(req)) return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    if (!isBrowser(req)) res.set('WWW-Authenticate', 'Basic realm="matchflow dashboard", charset="UTF-8"');
    res.status(401).json({ error: 'authentication required' });
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

function loginPage(next: string, problem: string | null) {
  return page('Log in', html`<form class="login" method="post" action="/login">
<h1>Log in</h1>
${problem ? html`<p class="error" role="alert">${problem}</p>` : ''}
<input type="hidden" name="next" value="${next}">
<label for="name">User</label><input id="name" name="name" autocomplete="username" required autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Log in</button>
</form>`);
}

function sessionCookie(value: string, maxAgeSec: number, secure: boolean): string {
  // SameSite=Strict keeps other sites from riding the session (the board's mutations are PUTs).
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSec}${secure ? '; Secure' : ''}`;
}

/** GET/POST /login and GET/POST /logout. */
export function authRoutes(settings: AuthSettings): Router {
  const router = express.Router();
  router.get('/login', (req, res) => sendPage(res, 200, loginPage(safeNext(req.query.next), null)));
  router.post('/login', express.urlencoded({ extended: false, limit: settings.bodyLimit }), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(body.next);
    const outcome = typeof body.name === 'string' && typeof body.password === 'string'
      ? await attemptLogin(settings, req, body.name, body.password, 'form') : { kind: 'failed' as const };
    if (outcome.kind === 'throttled') {
      const sec = Math.ceil(outcome.waitMs / 1000);
      res.set('Retry-After', String(sec));
      return sendPage(res, 429, loginPage(next, `Too many failed logins: try again in ${sec} s.`));
    }
    if (outcome.kind === 'failed') return sendPage(res, 401, loginPage(next, 'Unknown user or wrong password.'));
    const { user } = outcome;
    logger().info({ user: user.name, role: user.role, ip: req.ip }, 'dashboard login');
    const token = issueSession(settings.secret, user, await settings.sessions.current(user.name), Date.now(), settings.sessionTtlMs);
    res.set('Set-Cookie', sessionCookie(token, Math.floor(settings.sessionTtlMs / 1000), settings.secureCookie(req))).redirect(303, next);
  });
  // Ends every session of the user (the cookie of this browser and any copy of it), not only this cookie.
  const logout: RequestHandler = async (req, res) => {
    const user = await fromCookie(req, settings);
    if (user) {
      await settings.sessions.bump(user.name);
      logger().info({ user: user.name, ip: req.ip }, 'dashboard logout');
    }
    res.set('Set-Cookie', sessionCookie('', 0, settings.secureCookie(req))).redirect(303, '/login');
  };
  router.get('/logout', logout);
  router.post('/logout', logout);
  return router;
}

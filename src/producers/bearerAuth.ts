// Bearer-token authentication of the enqueue API (API_TOKENS). Tokens are compared by their
// SHA-256 digests in constant time, so that timing reveals nothing about a token.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Config } from '../shared/config.ts';
import { sendError } from './apiErrors.ts';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Who is calling: the SHA-256 of their token (hex), or 'anonymous' when the API takes no tokens. Scopes idempotency keys. */
export function apiClient(res: Response): string {
  return (res.locals.apiClient as string | undefined) ?? 'anonymous';
}

/**
 * Refuses every request without a configured token. Without tokens every request passes: the
 * server then listens on the loopback interface only unless AUTH_DISABLED=true (src/shared/listenAddress.ts).
 */
export function bearerAuth(cfg: Config): RequestHandler {
  const tokens = cfg.apiTokens.map(digest);
  if (tokens.length === 0) return (_req, _res, next) => next();
  return (req, res, next) => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    if (!m) {
      res.set('WWW-Authenticate', 'Bearer');
      return sendError(res, 401, 'unauthorized', 'missing bearer token (Authorization: Bearer <token>)');
    }
    const given = digest(m[1]);
    let ok = false;
    for (const t of tokens) ok = timingSafeEqual(given, t) || ok;
    if (!ok) {
      res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      return sendError(res, 401, 'unauthorized', 'invalid bearer token');
    }
    res.locals.apiClient = given.toString('hex');
    next();
  };
}

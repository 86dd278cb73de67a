// Session cookies: `<name>.<generation>.<expiry>.<mac>`, the MAC an HMAC-SHA256 over the name, the
// generation, the expiry, the role and the password digest. The role is looked up again on every
// request, and a changed password or role invalidates the user's sessions; logging out bumps the
// user's generation (sessionGenerations.ts), which invalidates them too.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DashboardUser } from './users.ts';

export const SESSION_COOKIE = 'matchflow_session';

function mac(secret: Buffer, user: DashboardUser, generation: number, expiresAt: number): Buffer {
  return createHmac('sha256', secret)
    .update(`${user.name}\n${generation}\n${expiresAt}\n${user.role}\n`)
    .update(user.passwordDigest)
    .digest();
}

export function issueSession(secret: Buffer, user: DashboardUser, generation: number, now: number, ttlMs: number): string {
  const expiresAt = now + ttlMs;
  return `${Buffer.from(user.name).toString('base64url')}.${generation}.${expiresAt}.${mac(secret, user, generation, expiresAt).toString('base64url')}`;
}

export interface VerifiedSession {
  user: DashboardUser;
  /** the generation the cookie was issued in: the session holds while it is the user's current one */
  generation: number;
}

/** The user and generation the cookie was issued to, if it is authentic, unexpired and the user still exists unchanged. */
export function verifySession(secret: Buffer, token: string, users: readonly DashboardUser[], now: number): VerifiedSession | null {
  const parts = token.split('.');
  if (parts.length !== 4) return null;
  const [encodedName, gen, expiry, givenMac] = parts;
  if (!/^\d{1,15}$/.test(gen) || !/^\d{1,15}$/.test(expiry)) return null;
  const generation = Number(gen);
  const expiresAt = Number(expiry);
  if (expiresAt <= now) return null;
  const name = Buffer.from(encodedName, 'base64url').toString('utf8');
  const user = users.find((u) => u.name === name);
  if (!user) return null;
  const expected = mac(secret, user, generation, expiresAt);
  const given = Buffer.from(givenMac, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected) ? { user, generation } : null;
}

/** Cookie header value → map of cookie names to values (no dependency needed for one cookie). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    try {
      out.set(name, decodeURIComponent(raw));
    } catch {
      out.set(name, raw);
    }
  }
  return out;
}

// Stateless session cookies: `<name>.<expiry>.<mac>`, the MAC an HMAC-SHA256 over the name, the
// expiry, the role and the password digest. The role is looked up again on every request, and a
// changed password or role invalidates the user's sessions without any server-side store.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DashboardUser } from './users.ts';

export const SESSION_COOKIE = 'matchflow_session';

function mac(secret: Buffer, user: DashboardUser, expiresAt: number): Buffer {
  return createHmac('sha256', secret)
    .update(`${user.name}\n${expiresAt}\n${user.role}\n`)
    .update(user.passwordDigest)
    .digest();
}

export function issueSession(secret: Buffer, user: DashboardUser, now: number, ttlMs: number): string {
  const expiresAt = now + ttlMs;
  return `${Buffer.from(user.name).toString('base64url')}.${expiresAt}.${mac(secret, user, expiresAt).toString('base64url')}`;
}

/** The user the cookie was issued to, if it is authentic, unexpired and the user still exists unchanged. */
export function verifySession(secret: Buffer, token: string, users: readonly DashboardUser[], now: number): DashboardUser | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [encodedName, expiry, givenMac] = parts;
  const expiresAt = Number(expiry);
  if (!/^\d+$/.test(expiry) || expiresAt <= now) return null;
  const name = Buffer.from(encodedName, 'base64url').toString('utf8');
  const user = users.find((u) => u.name === name);
  if (!user) return null;
  const expected = mac(secret, user, expiresAt);
  const given = Buffer.from(givenMac, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected) ? user : null;
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

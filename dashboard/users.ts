// Dashboard users from DASHBOARD_USERS (name:password:role) and password checks that take the
// same time whether the name exists, the password is wrong, or it is right.
import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError, type Config } from '../src/shared/config.ts';

export const ROLES = ['operator', 'readonly'] as const;
export type Role = (typeof ROLES)[number];

export interface DashboardUser {
  name: string;
  role: Role;
  /** SHA-256 of the password: fixed length, so comparisons can be constant-time */
  passwordDigest: Buffer;
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Parses `name:password:role` entries. The name ends at the first ':' and the role starts after
 * the last one, so a password may contain ':' (but not ',', which separates entries).
 */
export function parseDashboardUsers(entries: readonly string[]): DashboardUser[] {
  const users = new Map<string, DashboardUser>();
  for (const entry of entries) {
    const first = entry.indexOf(':');
    const last = entry.lastIndexOf(':');
    const name = entry.slice(0, first);
    const password = entry.slice(first + 1, last);
    const role = entry.slice(last + 1) as Role;
    // Never echo the entry: it holds a password.
    if (first < 0 || first === last) throw new ConfigError(`DASHBOARD_USERS: an entry is not name:password:role${first > 0 ? ` (user '${name}')` : ''}`);
    if (!/^[A-Za-z0-9._@-]+$/.test(name)) throw new ConfigError(`DASHBOARD_USERS: user names may use letters, digits and . _ @ - only`);
    if (password === '') throw new ConfigError(`DASHBOARD_USERS: user '${name}' has an empty password`);
    if (!ROLES.includes(role)) throw new ConfigError(`DASHBOARD_USERS: user '${name}' has role '${role}' (expected ${ROLES.join(' or ')})`);
    if (users.has(name)) throw new ConfigError(`DASHBOARD_USERS: user '${name}' is listed twice`);
    users.set(name, { name, role, passwordDigest: digest(password) });
  }
  return [...users.values()];
}

/** The configured users (none: the dashboard makes a one-off admin and listens on the loopback interface only). */
export function dashboardUsers(cfg: Config): DashboardUser[] {
  return parseDashboardUsers(cfg.dashboardUsers);
}

// Compared against when the name is unknown, so that a miss costs the same as a wrong password.
const NOBODY = digest('');

/** The user with this name and password, or null. */
export function authenticate(users: readonly DashboardUser[], name: string, password: string): DashboardUser | null {
  const user = users.find((u) => u.name === name);
  const matches = timingSafeEqual(digest(password), user?.passwordDigest ?? NOBODY);
  return user && matches ? user : null;
}

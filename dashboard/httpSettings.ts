// The dashboard's HTTP settings that are more than a value: which proxies to believe, and when the
// session cookie is Secure. Read once at start-up; a bad value stops the dashboard before it starts.
import type { Request } from 'express';
import { ConfigError, type Config } from '../src/shared/config.ts';

export interface DashboardHttpSettings {
  /** express's 'trust proxy' */
  trustProxy: boolean | number | string;
  /** whether the session cookie set in answer to `req` is Secure */
  secureCookie: (req: Request) => boolean;
}

export function dashboardHttpSettings(cfg: Config): DashboardHttpSettings {
  const trust = cfg.dashboardTrustProxy.trim();
  const trustProxy = trust === '' || /^false$/i.test(trust) ? false : /^true$/i.test(trust) ? true : /^\d+$/.test(trust) ? Number(trust) : trust;
  const policy = cfg.dashboardCookieSecure.trim().toLowerCase();
  // NODE_ENV is compared in any case and spacing: `Production` is production.
  const production = cfg.nodeEnv.trim().toLowerCase() === 'production';
  let secureCookie: (req: Request) => boolean;
  if (policy === 'true') secureCookie = () => true;
  else if (policy === 'false') secureCookie = () => false;
  else if (policy === 'auto') secureCookie = (req) => production || req.secure;
  else throw new ConfigError(`DASHBOARD_COOKIE_SECURE=${cfg.dashboardCookieSecure}: expected true, false or auto`);
  return { trustProxy, secureCookie };
}

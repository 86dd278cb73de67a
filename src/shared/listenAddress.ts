// Where a server without credentials may listen. The enqueue API without API_TOKENS and the
// dashboard without DASHBOARD_USERS let anyone in who can reach them: they listen on the loopback
// interface only, and say so, unless AUTH_DISABLED=true says that is meant. Nothing here looks at
// NODE_ENV: a misspelt environment name must not open a service.
import { ConfigError } from './config.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export interface ListenChoice {
  /** the address to listen on; undefined: every interface */
  host: string | undefined;
  /** what to log at start-up when the service runs without credentials */
  warning: string | null;
}

export interface ListenRequest {
  /** 'the enqueue API', 'the dashboard' */
  service: string;
  /** the setting that holds the credentials (API_TOKENS, DASHBOARD_USERS) */
  credentialsSetting: string;
  hasCredentials: boolean;
  authDisabled: boolean;
  /** the address asked for (undefined: every interface) */
  requested?: string;
}

export function listenAddress(r: ListenRequest): ListenChoice {
  if (r.hasCredentials) return { host: r.requested, warning: null };
  if (r.authDisabled) {
    return { host: r.requested, warning: `${r.credentialsSetting} is empty and AUTH_DISABLED=true: ${r.service} takes requests without credentials ` +
      `on ${r.requested ?? 'every interface'}` };
  }
  if (r.requested !== undefined && !LOOPBACK.has(r.requested)) {
    throw new ConfigError(`${r.credentialsSetting} is empty: ${r.service} listens on the loopback interface only without credentials; ` +
      `set ${r.credentialsSetting}, or AUTH_DISABLED=true to listen on ${r.requested} without them`);
  }
  const host = r.requested ?? '127.0.0.1';
  return { host, warning: `${r.credentialsSetting} is empty: ${r.service} takes requests without credentials and listens on ${host} only ` +
    `(set ${r.credentialsSetting}, or AUTH_DISABLED=true to listen on every interface without them)` };
}

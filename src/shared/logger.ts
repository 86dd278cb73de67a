import pino, { type DestinationStream, type Logger } from 'pino';
import { config, SETTINGS } from './config.ts';

export type { Logger };

/** A field name as compared: lower case, letters and digits only (apiTokens, API_TOKENS, api-tokens are one name). */
const normalized = (key: string): string => key.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Settings marked secret, by their config name and their environment variable. */
const SECRET_SETTINGS = Object.entries(SETTINGS as Record<string, { env: string; secret?: boolean }>)
  .filter(([, x]) => x.secret).flatMap(([name, x]) => [name, x.env]);

/** Fields whose value is a secret, whatever their case or spelling, at any depth of a log line. */
const SECRET_FIELDS = new Set([
  'password', 'passwd', 'pwd', 'token', 'tokens', 'apitoken', 'accesstoken', 'refreshtoken', 'idtoken', 'bearertoken',
  'authorization', 'proxyauthorization', 'cookie', 'setcookie', 'secret', 'secretkey', 'accesskey', 'apikey', 'clientsecret',
  'privatekey', 'connectionstring', 'sessionsecret', 'credentials', ...SECRET_SETTINGS,
].map(normalized));
/** Endings that make a field secret too (X-Api-Key, dbPassword, clientSecret); not `token`, which fencingToken ends with. */
const SECRET_ENDINGS = ['password', 'passwd', 'secret', 'apikey', 'authorization', 'accesskey', 'secretkey', 'apitoken', 'apitokens',
  'accesstoken', 'authtoken', 'sessiontoken', 'cookie'];

function isSecretField(key: string): boolean {
  const k = normalized(key);
  return SECRET_FIELDS.has(k) || SECRET_ENDINGS.some((e) => k.endsWith(e));
}

const CENSOR = '[redacted]';

/**
 * Masks credentials inside free text: the user information of `scheme://user:password@host`
 * URLs (`redis://:password@` too), `Bearer` and `Basic` credentials, and `password=…` pairs,
 * which end up in error messages and stacks (a failed connection, a bad request, a DSN).
 */
export function maskSecretsInText(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, `$1${CENSOR}@`)
    .replace(/\b(Bearer|Basic)(\s+)[A-Za-z0-9._~+/-]{6,}=*/gi, `$1$2${CENSOR}`)
    .replace(/\b(password|passwd|pwd|secret|token)=[^\s&;,'"]+/gi, `$1=${CENSOR}`);
}

const MAX_DEPTH = 12;

/**
 * A copy of a logged value with secret fields censored and every string masked, at any depth.
 * An object with a toJSON (a URL, a Date) is logged as what that returns, so that is what is
 * masked; buffers and typed arrays are left alone; errors are left to the err serializer.
 */
export function redactDeep(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return maskSecretsInText(value);
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value) || value instanceof Error) return value;
  if (seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1, seen));
  const toJSON = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof toJSON === 'function') return redactDeep(toJSON.call(value), depth + 1, seen);
  // own enumerable fields, as JSON.stringify writes them
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSecretField(k) && v !== undefined && v !== null && v !== '' ? CENSOR : redactDeep(v, depth + 1, seen);
  }
  return out;
}

function serializeError(err: unknown): unknown {
  return redactDeep(pino.stdSerializers.err(err as Error));
}

/** A pino logger with the project's redaction, writing JSON lines to `destination`. */
export function createLogger(level: string, destination: DestinationStream): Logger {
  const log = pino({
    level,
    base: { pid: process.pid, service: 'matchflow' },
    serializers: { err: serializeError },
    formatters: {
      log: (obj) => redactDeep(obj) as Record<string, unknown>,
      bindings: (bindings) => redactDeep(bindings) as Record<string, unknown>,
    },
    hooks: {
      // Messages are free text: mask credentials in them too.
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? maskSecretsInText(a) : a)) as Parameters<typeof method>);
      },
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  }, destination);
  // pino applies the bindings formatter to the root only; children (created from their parent's
  // prototype, so they inherit this) have their bindings redacted here.
  const pinoChild = log.child;
  log.child = function child(this: Logger, bindings, options) {
    return pinoChild.call(this, redactDeep(bindings) as typeof bindings, options);
  } as typeof log.child;
  return log;
}

let root: Logger | undefined;
let defaultLevel = 'info';

/**
 * The level used when LOG_LEVEL is not set: a command that talks to a person (the demo) keeps its
 * terminal for progress lines. Called before anything logs.
 */
export function setDefaultLogLevel(level: string): void {
  defaultLevel = level;
  if (root && !config().logLevel) root.level = level;
}

/** The process logger: pino JSON on stdout (stderr for CLI commands that print data on stdout). */
export function logger(): Logger {
  root ??= createLogger(config().logLevel || defaultLevel, pino.destination({ fd: process.env.MATCHFLOW_LOG_FD === '1' ? 1 : 2, sync: false }));
  return root;
}

/** Job-scoped fields every line written inside a job carries. */
export interface JobLogContext {
  jobId?: string;
  queue?: string;
  cycleId?: string;
  groupId?: string;
  domainId?: string;
}

export function jobLogger(ctx: JobLogContext): Logger {
  return logger().child(ctx);
}

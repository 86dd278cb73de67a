import pino, { type DestinationStream, type Logger } from 'pino';
import { config, SETTINGS } from './config.ts';

export type { Logger };

/** Settings marked secret, by their config name and their environment variable. */
const SECRET_SETTINGS = Object.entries(SETTINGS as Record<string, { env: string; secret?: boolean }>)
  .filter(([, x]) => x.secret).flatMap(([name, x]) => [name, x.env]);

/** Fields that carry secrets, at the top of a log line and one level down (`{ cfg }`, `{ headers }`). */
const SECRET_FIELDS = [
  'password', 'token', 'authorization', 'cookie', 'set-cookie', 'secret', 'secretKey', 'accessKey',
  'connectionString', 'apiKey', ...SECRET_SETTINGS,
];

export const REDACT = [
  ...SECRET_FIELDS.flatMap((f) => [`["${f}"]`, `*["${f}"]`]),
  'req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]',
];

const CENSOR = '[redacted]';

/**
 * Masks credentials inside free text: the password of `scheme://user:password@host` URLs and
 * `Bearer` tokens, which end up in error messages and stacks (a failed connection, a bad request).
 */
export function maskSecretsInText(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, `$1${CENSOR}@`)
    .replace(/\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/g, `$1${CENSOR}`);
}

function serializeError(err: unknown): unknown {
  const out = pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>;
  if (out && typeof out === 'object') {
    for (const k of ['message', 'stack'] as const) if (typeof out[k] === 'string') out[k] = maskSecretsInText(out[k] as string);
  }
  return out;
}

/** A pino logger with the project's redaction, writing JSON lines to `destination`. */
export function createLogger(level: string, destination: DestinationStream): Logger {
  return pino({
    level,
    base: { pid: process.pid, service: 'matchflow' },
    redact: { paths: REDACT, censor: CENSOR },
    serializers: { err: serializeError },
    hooks: {
      // Messages are free text: mask credentials in them too.
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? maskSecretsInText(a) : a)) as Parameters<typeof method>);
      },
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  }, destination);
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

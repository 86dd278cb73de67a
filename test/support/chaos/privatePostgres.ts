// A PostgreSQL cluster of the test's own (initdb in a temp dir, own port), so that a chaos test
// can restart it without disturbing anything else on the machine.
import { execFileSync, execFile } from 'node:child_process';
import { mkdtempSync, rmSync, chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './freePort.ts';

const run = promisify(execFile);

function pgBin(name: string): string {
  const root = '/usr/lib/postgresql';
  const version = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a))[0] : undefined;
  return version ? join(root, version, 'bin', name) : name;
}

/** initdb refuses to run as root, so the server runs as the `postgres` system user then. */
function asPostgres(args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', ...args]] : [args[0], args.slice(1)];
}

export interface PrivatePostgres {
  port: number;
  url: string;
  /** fast restart: connections are cut, committed data stays */
  restart(mode?: 'fast' | 'immediate'): Promise<void>;
  stop(): Promise<void>;
}

export interface PrivatePostgresOptions {
  /**
   * TCP connections must then log in with a password (SCRAM-SHA-256), this one for the superuser
   * `postgres`; the URL carries it. Without: every connection is trusted.
   */
  superuserPassword?: string;
}

export async function startPrivatePostgres(options: PrivatePostgresOptions = {}): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'mf-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const port = await freePort();
  let auth = ['--auth=trust'];
  if (options.superuserPassword !== undefined) {
    const pwfile = join(dir, 'pwfile');
    writeFileSync(pwfile, `${options.superuserPassword}\n`, { mode: 0o644 });
    auth = ['--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${pwfile}`];
  }
  const [cmd, args] = asPostgres([pgBin('initdb'), '-D', data, '-U', 'postgres', ...auth, '-E', 'UTF8', '--no-sync']);
  execFileSync(cmd, args, { stdio: 'ignore' });
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200`;
  const ctl = async (...a: string[]) => {
    const [c, ar] = asPostgres([pgBin('pg_ctl'), '-D', data, '-w', '-t', '60', ...a]);
    await run(c, ar);
  };
  await ctl('-o', opts, '-l', join(dir, 'log'), 'start');
  return {
    port,
    url: options.superuserPassword === undefined
      ? `postgres://postgres@127.0.0.1:${port}/postgres`
      : `postgres://postgres:${encodeURIComponent(options.superuserPassword)}@127.0.0.1:${port}/postgres`,
    async restart(mode = 'fast') {
      await ctl('-m', mode, 'stop');
      await ctl('-o', opts, '-l', join(dir, 'log'), 'start');
    },
    async stop() {
      await ctl('-m', 'immediate', 'stop').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

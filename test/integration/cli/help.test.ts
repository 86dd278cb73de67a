// Every subcommand explains itself, and exit codes mean what the help says.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../../bin/matchflow.js', import.meta.url));
const run = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env, timeout: 30000 });

describe('matchflow CLI', () => {
  const top = run(['--help']);
  const commands = [...top.stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((m) => m[1]);

  it('--help lists the commands and exits 0', () => {
    expect(top.status).to.equal(0);
    expect(commands).to.include.members(['migrate', 'demo', 'worker', 'config', 'bench']);
  });

  it('every command has its own --help, which says what its exit codes mean', () => {
    expect(commands).to.include.members(['migrate', 'demo', 'worker', 'producer', 'run', 'import', 'solve', 'dashboard', 'bench', 'config']);
    for (const c of commands) {
      const r = run([c, '--help']);
      expect(r.status, c).to.equal(0);
      expect(r.stdout, c).to.match(/Usage: matchflow/);
      expect(r.stdout, c).to.match(/Exit codes: 0 /);
    }
  });

  it('an unknown option of any command is a usage error (exit 2 and the help), not a crash', () => {
    for (const c of ['run', 'import', 'config']) {
      const r = run([c, '--no-such-option']);
      expect(r.status, `${c}: ${r.stderr}`).to.equal(2);
      expect(r.stderr, c).to.match(/no-such-option/);
      expect(r.stderr, c).to.match(/Usage: matchflow/);
      expect(r.stderr, c).to.not.match(/\n +at /); // no stack trace
    }
  });

  it('an unknown command or a bad option exits 2 with a message', () => {
    const r = run(['frobnicate']);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/unknown command 'frobnicate'/);
    const bad = run(['worker', '--queues', 'nope']);
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.match(/unknown queue 'nope'/);
  });

  it('a bad setting exits 2 naming the variable', () => {
    const r = run(['migrate'], { ...process.env, MATCHING_TOPK_COUNT: 'many' });
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/MATCHING_TOPK_COUNT/);
  });

  it('an unreachable server exits 3 and says which, where, and how to start it', () => {
    const r = run(['migrate'], { ...process.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test' });
    expect(r.status).to.equal(3);
    expect(r.stderr).to.match(/PostgreSQL is not reachable at 127\.0\.0\.1:1 \(DATABASE_URL\)/);
    expect(r.stderr).to.match(/start it/);
    const d = run(['demo'], { ...process.env, REDIS_URL: 'redis://127.0.0.1:1' });
    expect(d.status).to.equal(3);
    expect(d.stderr).to.match(/Redis is not reachable at 127\.0\.0\.1:1 \(REDIS_URL\)/);
  });
});

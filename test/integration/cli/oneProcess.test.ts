// bin/matchflow.js runs the built CLI in its own process, with no wrapper: a signal sent to the
// whole process group (Ctrl-C in a terminal, systemd's default KillMode, `timeout`) reaches one
// process, once, and gives exactly one graceful shutdown.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { CLI } from '../../support/runCli.ts';
import { createTestEnv, type TestEnv } from '../../support/testEnv.ts';
import { until } from '../../support/waitFor.ts';

function messages(stderr: string): string[] {
  return stderr.split('\n').flatMap((l) => {
    try {
      return [String((JSON.parse(l) as { msg?: unknown }).msg)];
    } catch {
      return [];
    }
  });
}

describe('matchflow worker is one process', function () {
  this.timeout(60_000);
  let t: TestEnv;
  beforeEach(async () => { t = await createTestEnv('oneproc'); });
  afterEach(async () => { await t.cleanup(); });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`a ${signal} to its process group gives one graceful shutdown and exit 0`, async () => {
      const p = spawn(process.execPath, [CLI, 'worker'], {
        env: { ...t.env, LOG_LEVEL: 'info', METRICS_PORT: '0' }, detached: true, stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      p.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
      try {
        await until('the workers to start', () => {
          if (p.exitCode !== null) throw new Error(`the worker exited ${p.exitCode}: ${stderr}`);
          return messages(stderr).includes('workers started');
        }, { timeoutMs: 30_000 });
        const children = await readFile(`/proc/${p.pid}/task/${p.pid}/children`, 'utf8');
        expect(children.trim(), 'child processes of matchflow worker').to.equal('');
        process.kill(-p.pid!, signal);
        expect(await exited, stderr).to.equal(0);
        const said = messages(stderr);
        expect(said.filter((m) => m === 'shutting down'), stderr).to.have.length(1);
        expect(said).to.include('shutdown complete');
        expect(said).to.not.include('second signal: not waiting any longer');
        expect(said).to.not.include('shutdown cut short: exiting with work unfinished');
      } finally {
        if (p.exitCode === null) process.kill(-p.pid!, 'SIGKILL');
      }
    });
  }
});

// Runs `matchflow …` (bin/matchflow.js) as a separate process and collects its exit status and
// output; a run that outlives timeoutMs is killed, so a hung command fails its test instead of
// hanging the suite.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../bin/matchflow.js', import.meta.url));

export interface CliRun { status: number | null; stdout: string; stderr: string }

/** A command still running: its output so far, for a test that waits for a line. */
export interface RunningCli {
  done: Promise<CliRun>;
  stdout(): string;
  stderr(): string;
  /** true once the process has exited */
  exited(): boolean;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 90_000): RunningCli {
  let stdout = '';
  let stderr = '';
  let exited = false;
  const done = new Promise<CliRun>((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', reject);
    p.on('close', (status) => {
      exited = true;
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
  return { done, stdout: () => stdout, stderr: () => stderr, exited: () => exited };
}

export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 90_000): Promise<CliRun> {
  return startCli(args, env, timeoutMs).done;
}

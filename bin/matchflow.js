#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader so that worker threads and forked
// processes (which inherit execArgv) load .ts files the same way.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tsx = require.resolve('tsx');
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const child = spawn(process.execPath, ['--import', tsx, ...process.execArgv, cli, ...process.argv.slice(2)], {
  stdio: 'inherit',
  // the child polls for this pid and dies with it (src/shared/wrapperWatch.ts): SIGKILL can't be passed on
  env: { ...process.env, MATCHFLOW_WRAPPER_PID: String(process.pid) },
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});

// bin/matchflow.js runs the CLI as its child (so that threads inherit tsx's loader). A signal the
// wrapper can catch is passed on, but SIGKILL cannot be: without this watch the child would live
// on as an orphan — a worker still taking jobs after its operator (or a crash test) killed it.
// The child therefore dies as hard as its wrapper did, within one poll.
const POLL_MS = 500;

export function dieWithWrapper(env: NodeJS.ProcessEnv = process.env): void {
  const wrapper = Number(env.MATCHFLOW_WRAPPER_PID);
  if (!wrapper) return;
  const check = () => {
    if (process.ppid !== wrapper) process.kill(process.pid, 'SIGKILL');
  };
  check(); // the wrapper may have died while this process was still loading
  setInterval(check, POLL_MS).unref();
}

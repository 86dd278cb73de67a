// Graceful shutdown of a long-running process: on SIGTERM (or SIGINT) run the closing steps in
// order — stop taking work, let running work finish, close servers and pools — and come back with
// an exit code before a deadline, whatever hangs. A second signal cuts the wait short.
import { performance } from 'node:perf_hooks';
import { logger, type Logger } from './logger.ts';

export interface ShutdownStep {
  name: string;
  /** `remainingMs`: what is left of the deadline when the step starts */
  run(remainingMs: number): Promise<void> | void;
}

export interface ShutdownOptions {
  deadlineMs: number;
  log?: Logger;
}

export interface ShutdownOutcome {
  /** every step finished, without error, before the deadline */
  clean: boolean;
  /** steps that finished, in order */
  finished: string[];
  /** the step running when the deadline passed or a second signal came, if any */
  cutShortAt?: string;
  failed: string[];
}

/**
 * Runs `steps` in order within `deadlineMs`. A step that throws is logged and the next one runs
 * (a pool must still close when a server failed to). `interrupt` resolving cuts the wait short.
 */
export async function runShutdown(
  steps: ShutdownStep[], opts: ShutdownOptions, interrupt: Promise<string> = new Promise(() => undefined),
): Promise<ShutdownOutcome> {
  const log = opts.log ?? logger();
  const t0 = performance.now();
  const outcome: ShutdownOutcome = { clean: true, finished: [], failed: [] };
  let current: string | undefined;
  const work = (async () => {
    for (const step of steps) {
      current = step.name;
      try {
        await step.run(Math.max(0, opts.deadlineMs - (performance.now() - t0)));
        outcome.finished.push(step.name);
      } catch (err) {
        outcome.failed.push(step.name);
        log.error({ err, step: step.name }, 'shutdown step failed');
      }
    }
    current = undefined;
    return 'done';
  })();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<string>((resolve) => { timer = setTimeout(() => resolve('deadline'), opts.deadlineMs); });
  const how = await Promise.race([work, deadline, interrupt]);
  clearTimeout(timer);
  if (how !== 'done') {
    outcome.cutShortAt = current;
    log.warn({ step: current, deadlineMs: opts.deadlineMs, why: how }, 'shutdown cut short: exiting with work unfinished');
  }
  outcome.clean = how === 'done' && outcome.failed.length === 0;
  log.info({ ms: Math.round(performance.now() - t0), finished: outcome.finished, failed: outcome.failed }, 'shutdown complete');
  return outcome;
}

/**
 * Waits for SIGTERM or SIGINT, then runs the steps (see runShutdown) and resolves with the
 * outcome. The signals are handled from the moment this is called.
 */
export function untilShutdown(steps: ShutdownStep[], opts: ShutdownOptions, signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): Promise<ShutdownOutcome> {
  const log = opts.log ?? logger();
  return new Promise((resolve, reject) => {
    let resolveSecond: (why: string) => void = () => undefined;
    const second = new Promise<string>((r) => { resolveSecond = r; });
    let started = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (started) {
        log.warn({ signal }, 'second signal: not waiting any longer');
        resolveSecond(`second ${signal}`);
        return;
      }
      started = true;
      log.info({ signal, deadlineMs: opts.deadlineMs }, 'shutting down');
      runShutdown(steps, { ...opts, log }, second)
        .finally(() => { for (const s of signals) process.off(s, onSignal); })
        .then(resolve, reject);
    };
    for (const s of signals) process.on(s, onSignal);
  });
}

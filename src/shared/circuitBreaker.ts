// The circuit breaker of one group, as the original scheduler's: after `failureThreshold` consecutive failed
// cycles the breaker opens and the scheduler skips the group for `openMs`; after that it is
// half-open: the next cycle is a trial — success closes the breaker, failure opens it again for
// another `openMs`. Pure transitions only; circuitBreakerStore.ts keeps the state in Redis.
import type { Config } from './config.ts';

export interface BreakerSettings {
  failureThreshold: number;
  openMs: number;
}

export interface BreakerState {
  consecutiveFailures: number;
  /** epoch ms of the failure that last opened the breaker; null while closed */
  openedAt: number | null;
}

export type BreakerStatus = 'closed' | 'open' | 'half-open';

export const CLOSED: BreakerState = Object.freeze({ consecutiveFailures: 0, openedAt: null });

export function breakerSettings(cfg: Config): BreakerSettings {
  return { failureThreshold: cfg.circuitBreakerFailureThreshold, openMs: cfg.circuitBreakerOpenMs };
}

export function breakerStatus(state: BreakerState, now: number, settings: BreakerSettings): BreakerStatus {
  if (state.openedAt === null) return 'closed';
  return now < state.openedAt + settings.openMs ? 'open' : 'half-open';
}

/** Whether a new cycle of the group may start now (closed, or half-open for a trial). */
export function allowsRun(state: BreakerState, now: number, settings: BreakerSettings): boolean {
  return breakerStatus(state, now, settings) !== 'open';
}

/** When an open breaker lets a trial through; null when it is not open. */
export function reopensAt(state: BreakerState, now: number, settings: BreakerSettings): number | null {
  return breakerStatus(state, now, settings) === 'open' ? (state.openedAt as number) + settings.openMs : null;
}

export function afterFailure(state: BreakerState, now: number, settings: BreakerSettings): BreakerState {
  const consecutiveFailures = state.consecutiveFailures + 1;
  switch (breakerStatus(state, now, settings)) {
    case 'open':
      // A cycle that started before the breaker opened fails late: it must not stretch the window.
      return { consecutiveFailures, openedAt: state.openedAt };
    case 'half-open':
      return { consecutiveFailures, openedAt: now };
    case 'closed':
      return { consecutiveFailures, openedAt: consecutiveFailures >= settings.failureThreshold ? now : null };
  }
}

export function afterSuccess(): BreakerState {
  return CLOSED;
}

// A hold is a fencing token this process owns in Redis until a TTL runs out. It is kept alive by
// refreshing it while held, and is given up for lost, locally, as soon as this process can no
// longer be sure that Redis still has it — never later than the server-side expiry.
import { performance } from 'node:perf_hooks';
import type { ResourceRef } from './keys.ts';

/**
 * Refresh at a third of the TTL: two refreshes in a row can fail (a Redis blip, a long GC
 * pause) before the hold lapses, and refresh traffic stays small.
 */
const REFRESHES_PER_TTL = 3;

export class LostHoldError extends Error {
  constructor(readonly resource: ResourceRef, readonly token: number, why: string, options?: ErrorOptions) {
    super(`lost ${resource.kind} '${resource.name}' (token ${token}): ${why}`, options);
    this.name = 'LostHoldError';
  }
}

export interface Hold {
  readonly resource: ResourceRef;
  /** fencing token of this acquisition: larger than any token issued before for the resource */
  readonly token: number;
  /** aborted (with a LostHoldError, or 'released') when the hold ends: pass it to long work */
  readonly signal: AbortSignal;
  /** this process's belief, without a round trip: false once released, refused or past its TTL */
  held(): boolean;
  /** asks Redis whether this token still holds the resource */
  isHeld(): Promise<boolean>;
  /** refreshes now (auto-refresh does this by itself); false means the hold is lost */
  refresh(): Promise<boolean>;
  /** releases in Redis if still ours (compare-and-delete); true if it was still ours */
  release(): Promise<boolean>;
}

export interface HoldOptions {
  ttlMs: number;
  /** refresh every ttl/3 while held (default true). Off: the hold lapses at its TTL unless refreshed */
  autoRefresh?: boolean;
  /** called once when the hold is lost (not when released) */
  onLost?: (err: LostHoldError) => void;
}

export interface HoldOps {
  refresh(token: number, ttlMs: number): Promise<boolean>;
  release(token: number): Promise<boolean>;
  isCurrent(token: number): Promise<boolean>;
}

/**
 * Starts keeping `token` alive. `sentAt` is performance.now() when the acquiring (or refreshing)
 * request was sent: Redis started the TTL after that, so sentAt + ttl is a safe local deadline.
 */
export function startHold(resource: ResourceRef, token: number, sentAt: number, ops: HoldOps, opts: HoldOptions): Hold {
  const { ttlMs } = opts;
  const ended = new AbortController();
  let validUntil = sentAt + ttlMs;
  let refreshTimer: NodeJS.Timeout | undefined;
  let deadlineTimer: NodeJS.Timeout | undefined;
  let inFlight: Promise<boolean> | undefined;

  const end = (reason: unknown) => {
    if (ended.signal.aborted) return;
    clearTimeout(refreshTimer);
    clearTimeout(deadlineTimer);
    ended.abort(reason);
  };
  const lose = (why: string, cause?: unknown) => {
    if (ended.signal.aborted) return;
    const err = new LostHoldError(resource, token, why, cause === undefined ? undefined : { cause });
    end(err);
    opts.onLost?.(err);
  };
  // A refresh stuck on a dead connection must not keep the hold alive past its deadline.
  const armDeadline = () => {
    clearTimeout(deadlineTimer);
    deadlineTimer = setTimeout(() => lose(`not refreshed within its TTL of ${ttlMs} ms`), Math.max(0, validUntil - performance.now()));
    deadlineTimer.unref();
  };

  const refresh = (): Promise<boolean> => {
    if (ended.signal.aborted) return Promise.resolve(false);
    inFlight ??= (async () => {
      const t0 = performance.now();
      try {
        const ok = await ops.refresh(token, ttlMs);
        if (ended.signal.aborted) return false;
        if (!ok) {
          lose('refresh refused: it expired or another holder has it');
          return false;
        }
        validUntil = t0 + ttlMs;
        armDeadline();
        return true;
      } catch {
        // Redis unreachable: keep trying until the deadline timer declares the hold lost.
        return false;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };

  const scheduleRefresh = () => {
    refreshTimer = setTimeout(() => {
      void refresh().finally(() => { if (!ended.signal.aborted) scheduleRefresh(); });
    }, ttlMs / REFRESHES_PER_TTL);
    refreshTimer.unref();
  };

  armDeadline();
  if (opts.autoRefresh !== false) scheduleRefresh();

  return {
    resource,
    token,
    signal: ended.signal,
    held() {
      if (ended.signal.aborted) return false;
      // Past the deadline before its timer ran (a busy event loop): lost all the same, and said so.
      if (performance.now() >= validUntil) lose(`not refreshed within its TTL of ${ttlMs} ms`);
      return !ended.signal.aborted;
    },
    isHeld: () => ops.isCurrent(token),
    refresh,
    async release() {
      const wasHeld = !ended.signal.aborted;
      end('released');
      const released = await ops.release(token);
      return released && wasHeld;
    },
  };
}

// Mutex over Redis: one holder at a time (one potential-match cycle per group), a TTL so that a
// crashed holder's lock expires, auto-refresh while held, release only by the holder, and a
// fencing token per acquisition so that a writer can refuse a lapsed holder's late write.
import { performance } from 'node:perf_hooks';
import type { CoordinationContext } from './context.ts';
import { startHold, type Hold, type HoldOptions } from './hold.ts';
import type { ResourceRef } from './keys.ts';
import { claimLease, dropLease, extendLease, isLeaseCurrent, readLease, type LeaseHolder } from './lease.ts';
import { pollUntil } from './pollUntil.ts';

export interface AcquireOptions extends HoldOptions {
  /** how long to wait for the holder to let go (default 0: one attempt) */
  waitMs?: number;
  /** stops waiting (shutdown) */
  signal?: AbortSignal;
}

export type HeldLock = Hold;

function lockRef(name: string): ResourceRef {
  return { kind: 'lock', name };
}

function lockOps(ctx: CoordinationContext, name: string) {
  return {
    refresh: (token: number, ttlMs: number) => extendLease(ctx, 'lock', name, token, ttlMs),
    release: (token: number) => dropLease(ctx, 'lock', name, token),
    isCurrent: (token: number) => isLeaseCurrent(ctx, 'lock', name, token),
  };
}

/** The held lock, or null if it stayed taken for `waitMs`. */
export async function acquireLock(ctx: CoordinationContext, name: string, opts: AcquireOptions): Promise<HeldLock | null> {
  const got = await pollUntil(async () => {
    const sentAt = performance.now();
    const token = await claimLease(ctx, 'lock', name, opts.ttlMs);
    return token === null ? null : { token, sentAt };
  }, { waitMs: opts.waitMs ?? 0, retryMs: ctx.retryMs, signal: opts.signal });
  return got && startHold(lockRef(name), got.token, got.sentAt, lockOps(ctx, name), opts);
}

/**
 * Takes over a lock acquired elsewhere (a producer acquires a group's cycle lock and passes the
 * token in the job payload; each job of the cycle resumes it to keep it alive while it runs).
 * Null if `token` no longer holds the lock.
 */
export async function resumeLock(ctx: CoordinationContext, name: string, token: number, opts: HoldOptions): Promise<HeldLock | null> {
  const sentAt = performance.now();
  if (!(await extendLease(ctx, 'lock', name, token, opts.ttlMs))) return null;
  return startHold(lockRef(name), token, sentAt, lockOps(ctx, name), opts);
}

/** Releases the lock if `token` still holds it (a lapsed holder's release is a no-op). */
export function releaseLock(ctx: CoordinationContext, name: string, token: number): Promise<boolean> {
  return dropLease(ctx, 'lock', name, token);
}

/** Is the lock held now (by `token`, when given)? */
export async function isLockHeld(ctx: CoordinationContext, name: string, token?: number): Promise<boolean> {
  if (token !== undefined) return isLeaseCurrent(ctx, 'lock', name, token);
  return (await readLease(ctx, 'lock', name)) !== null;
}

export function lockHolder(ctx: CoordinationContext, name: string): Promise<LeaseHolder | null> {
  return readLease(ctx, 'lock', name);
}

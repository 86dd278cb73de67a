// Leader lease: among several producer processes, one at a time schedules the cycles. The lease
// is a single-holder lease with a TTL; its fencing token is the leader's epoch, which rises with
// every change of leader, so that a write stamped with an old epoch can be refused.
import { performance } from 'node:perf_hooks';
import type { CoordinationContext } from './context.ts';
import { startHold, type Hold, type LostHoldError } from './hold.ts';
import { claimLease, dropLease, extendLease, isLeaseCurrent, readLease, type LeaseHolder } from './lease.ts';

export interface LeaderLeaseOptions {
  ttlMs: number;
  /** called when this process becomes leader */
  onElected?: (epoch: number) => void;
  /** called when this process stops being leader without releasing (lapsed or taken over) */
  onDemoted?: (err: LostHoldError) => void;
}

/** Candidates retry (and leaders renew) at a third of the TTL, as holds refresh (see hold.ts). */
const ATTEMPTS_PER_TTL = 3;

export class LeaderLease {
  private hold: Hold | null = null;
  private campaignTimer: NodeJS.Timeout | undefined;
  private campaigning = false;

  constructor(private readonly ctx: CoordinationContext, readonly name: string, private readonly opts: LeaderLeaseOptions) {}

  /** The current epoch while leader, else null. */
  get epoch(): number | null {
    return this.isLeader() ? this.hold!.token : null;
  }

  /** Aborted when this leadership ends. */
  get signal(): AbortSignal | undefined {
    return this.hold?.signal;
  }

  /** This process's belief, conservative: false as soon as the lease may have lapsed. */
  isLeader(): boolean {
    return this.hold?.held() ?? false;
  }

  /** Becomes leader if nobody is; renews if already leader. True while leader. */
  async tryAcquire(): Promise<boolean> {
    if (this.isLeader()) return this.renew();
    const sentAt = performance.now();
    const epoch = await claimLease(this.ctx, 'leader', this.name, this.opts.ttlMs);
    if (epoch === null) return false;
    this.hold = startHold({ kind: 'leader', name: this.name }, epoch, sentAt, {
      refresh: (token, ttlMs) => extendLease(this.ctx, 'leader', this.name, token, ttlMs),
      release: (token) => dropLease(this.ctx, 'leader', this.name, token),
      isCurrent: (token) => isLeaseCurrent(this.ctx, 'leader', this.name, token),
    }, { ttlMs: this.opts.ttlMs, onLost: (err) => this.opts.onDemoted?.(err) });
    this.opts.onElected?.(epoch);
    return true;
  }

  /** Extends the lease now (it also renews itself while held). False: no longer leader. */
  async renew(): Promise<boolean> {
    return this.hold ? this.hold.refresh() : false;
  }

  /** Steps down (if leader) so that another candidate can take over at once. */
  async release(): Promise<void> {
    const hold = this.hold;
    this.hold = null;
    await hold?.release();
  }

  /** Keeps trying to become leader in the background until stop(). */
  campaign(): void {
    if (this.campaigning) return;
    this.campaigning = true;
    const tick = () => {
      if (!this.campaigning) return;
      const attempt = this.isLeader() ? Promise.resolve(true) : this.tryAcquire();
      attempt.catch(() => false).finally(() => {
        if (!this.campaigning) return;
        this.campaignTimer = setTimeout(tick, this.opts.ttlMs / ATTEMPTS_PER_TTL);
        this.campaignTimer.unref();
      });
    };
    tick();
  }

  /** Stops campaigning and steps down. */
  async stop(): Promise<void> {
    this.campaigning = false;
    clearTimeout(this.campaignTimer);
    await this.release();
  }

  /** Who leads now, as Redis sees it. */
  leader(): Promise<LeaseHolder | null> {
    return readLease(this.ctx, 'leader', this.name);
  }
}

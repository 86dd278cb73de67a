// What is held right now, for the ops page: every lock, leader lease and semaphore permit, with
// its fencing token, owner and time left. Reads the fencing counters' hash as the index of
// resources, so it costs one round trip per semaphore plus one pipeline, never a keyspace SCAN.
import type { CoordinationContext } from './context.ts';
import { fenceKey, leaseKey, parseFenceField, type ResourceRef } from './keys.ts';
import { leaseHolder, type LeaseHolder } from './lease.ts';
import { semaphoreState, type SemaphoreState } from './semaphore.ts';

export interface HeldLease extends LeaseHolder {
  name: string;
}

export interface SemaphoreView extends SemaphoreState {
  name: string;
  lastToken: number;
}

export interface CoordinationSnapshot {
  locks: HeldLease[];
  leaders: HeldLease[];
  /** every semaphore ever used, with its current holders (possibly none) */
  semaphores: SemaphoreView[];
}

export async function inspectCoordination(ctx: CoordinationContext): Promise<CoordinationSnapshot> {
  const counters = await ctx.redis.hgetall(fenceKey(ctx.prefix));
  const refs: Array<ResourceRef & { lastToken: number }> = [];
  for (const [field, value] of Object.entries(counters)) {
    const ref = parseFenceField(field);
    if (ref) refs.push({ ...ref, lastToken: Number(value) });
  }
  refs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const leases = refs.filter((r) => r.kind !== 'semaphore') as Array<{ kind: 'lock' | 'leader'; name: string }>;
  const pipe = ctx.redis.pipeline();
  for (const r of leases) {
    const key = leaseKey(ctx.prefix, r.kind, r.name);
    pipe.hgetall(key).pttl(key);
  }
  const replies = leases.length ? ((await pipe.exec()) ?? []) : [];
  const snapshot: CoordinationSnapshot = { locks: [], leaders: [], semaphores: [] };
  leases.forEach((r, i) => {
    const [hashErr, hash] = replies[2 * i];
    const [ttlErr, pttl] = replies[2 * i + 1];
    if (hashErr || ttlErr) throw hashErr ?? ttlErr;
    const holder = leaseHolder(hash as Record<string, string>, Number(pttl));
    if (holder) (r.kind === 'lock' ? snapshot.locks : snapshot.leaders).push({ name: r.name, ...holder });
  });
  for (const r of refs.filter((x) => x.kind === 'semaphore')) {
    snapshot.semaphores.push({ name: r.name, lastToken: r.lastToken, ...(await semaphoreState(ctx, r.name)) });
  }
  return snapshot;
}

// Key layout of the coordination primitives. One hash holds the fencing counter of every
// resource ever acquired; its fields double as the index the inspection reads, so nothing
// has to SCAN the keyspace (which BullMQ fills with job keys).
import { prefixedKey } from '../redis.ts';

export type ResourceKind = 'lock' | 'semaphore' | 'leader';

export interface ResourceRef {
  kind: ResourceKind;
  name: string;
}

/**
 * Hash field → last fencing token issued for that resource. It never expires: a counter that
 * restarted at 1 would let a lapsed holder's old, larger token win over the new holder.
 */
export function fenceKey(prefix: string): string {
  return prefixedKey(prefix, 'coord', 'fence');
}

export function fenceField(ref: ResourceRef): string {
  return `${ref.kind}:${ref.name}`;
}

export function parseFenceField(field: string): ResourceRef | null {
  const i = field.indexOf(':');
  const kind = field.slice(0, i);
  if (i < 0 || (kind !== 'lock' && kind !== 'semaphore' && kind !== 'leader')) return null;
  return { kind, name: field.slice(i + 1) };
}

/** A single-holder lease (mutex or leader lease): a hash {token, owner, since, ttl} with a PEXPIRE. */
export function leaseKey(prefix: string, kind: 'lock' | 'leader', name: string): string {
  return prefixedKey(prefix, 'coord', kind, name);
}

export interface SemaphoreKeys {
  /** sorted set: permit token → expiry (Redis server time, ms) */
  permits: string;
  /** hash: permit token → JSON {owner, since} */
  owners: string;
  /** the limit last used to acquire, for the ops page */
  limit: string;
  /** sorted set: waiter id → ticket (arrival order) */
  queue: string;
  /** sorted set: waiter id → time by which it must poll again or lose its place */
  seen: string;
  /** ticket counter of the queue */
  tickets: string;
}

export function semaphoreKeys(prefix: string, name: string): SemaphoreKeys {
  const k = (part: string) => prefixedKey(prefix, 'coord', 'semaphore', name, part);
  return { permits: k('permits'), owners: k('owners'), limit: k('limit'), queue: k('queue'), seen: k('seen'), tickets: k('tickets') };
}

/** The names the pipeline uses, so that producers, workers and the ops page agree. */
export const RESOURCE = {
  /** one potential-match cycle per group at a time */
  groupCycle: (groupId: string): ResourceRef => ({ kind: 'lock', name: `group-cycle:${groupId}` }),
  /** at most maxConcurrentDomains domains processed at once */
  domains: { kind: 'semaphore', name: 'domains' } as ResourceRef,
  /** at most maxConcurrentGroups perfect-match runs of one domain at once */
  perfectGroups: (domainId: string): ResourceRef => ({ kind: 'semaphore', name: `perfect-groups:${domainId}` }),
  /** the perfect-match writes of one group, fenced with the permit tokens of its domain's perfectGroups */
  perfectWrite: (groupId: string): ResourceRef => ({ kind: 'semaphore', name: `perfect-write:${groupId}` }),
  /** one producer plans the scheduled cycles */
  scheduler: { kind: 'leader', name: 'scheduler' } as ResourceRef,
} as const;

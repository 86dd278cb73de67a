// What is held now, as rows of the ops page: the coordination module's inspection (locks,
// leader leases, semaphore permits) flattened to one row per holder.
import type { CoordinationSnapshot } from '../src/shared/coordination/inspect.ts';
import type { HoldView } from './opsData.ts';

type Lease = CoordinationSnapshot['locks'][number];

export function holdsFromSnapshot(s: CoordinationSnapshot): HoldView[] {
  const lease = (kind: 'lock' | 'leader') => (h: Lease): HoldView =>
    ({ kind, name: h.name, owner: h.owner, token: h.token, expiresInMs: h.expiresInMs, detail: '' });
  const permits = s.semaphores.flatMap((sem) => sem.holders.map((h, i): HoldView => ({
    kind: 'semaphore', name: sem.name, owner: h.owner, token: h.token, expiresInMs: h.expiresInMs,
    detail: `permit ${i + 1} of ${sem.holders.length} held${sem.limit === null ? '' : ` (limit ${sem.limit})`}${sem.waiting ? `, ${sem.waiting} waiting` : ''}`,
  })));
  return [...s.leaders.map(lease('leader')), ...s.locks.map(lease('lock')), ...permits];
}

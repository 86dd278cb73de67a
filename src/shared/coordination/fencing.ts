// Fencing: a hold's token is a number that rises with every acquisition of the resource. A writer
// that remembers the largest token it has accepted refuses a smaller one, so a holder that lapsed
// (paused past its TTL, partitioned) cannot overwrite the work of its successor.
import type { CoordinationContext } from './context.ts';
import { fenceField, type ResourceRef } from './keys.ts';
import { isLeaseCurrent } from './lease.ts';
import { isPermitCurrent } from './semaphore.ts';
import type { PoolClient } from '../db.ts';

/** Does `token` still hold the resource in Redis right now? */
export function isTokenCurrent(ctx: CoordinationContext, ref: ResourceRef, token: number): Promise<boolean> {
  return ref.kind === 'semaphore' ? isPermitCurrent(ctx, ref.name, token) : isLeaseCurrent(ctx, ref.kind, ref.name, token);
}

/**
 * The storage side of fencing, for writes to PostgreSQL: call inside the writer's transaction,
 * before writing. Records `token` as the newest for the resource and returns true, or returns
 * false when a larger token has already written (the caller then rolls back). The same token may
 * write again (a retried job). The row stays locked until the transaction ends, so two writers of
 * one resource are serialized and the smaller token, coming second, is refused.
 */
export async function admitFencedWrite(client: PoolClient, ref: ResourceRef, token: number): Promise<boolean> {
  const { rowCount } = await client.query(
    `INSERT INTO fencing_tokens (resource, token) VALUES ($1, $2)
     ON CONFLICT (resource) DO UPDATE SET token = EXCLUDED.token, updated_at = now()
     WHERE fencing_tokens.token <= EXCLUDED.token`,
    [fenceField(ref), token]);
  return rowCount === 1;
}

/**
 * The shared form of admitFencedWrite, for several transactions of one holder writing at once:
 * call admitFencedWrite once first, then this in each writing transaction. It takes the fencing
 * row FOR SHARE (so the holder's transactions do not queue behind each other, while a newer
 * holder's admitFencedWrite waits for them to end) and is true while no larger token has written.
 */
export async function checkFencedWriteShared(client: PoolClient, ref: ResourceRef, token: number): Promise<boolean> {
  const { rows } = await client.query<{ token: string }>(
    'SELECT token FROM fencing_tokens WHERE resource = $1 FOR SHARE', [fenceField(ref)]);
  return rows.length === 1 && Number(rows[0].token) <= token;
}

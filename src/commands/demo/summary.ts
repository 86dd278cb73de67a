import type { DemoContext } from './stage.ts';

async function count(ctx: DemoContext, table: string, groupId: string): Promise<number> {
  const { rows } = await ctx.pool.query(`SELECT count(*)::bigint AS n FROM ${table} WHERE group_id = $1`, [groupId]);
  return Number(rows[0].n);
}

/** Per group: nodes, potential matches, perfect matches, stage times; then sample matches. */
export async function printSummary(ctx: DemoContext, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const lines = ['', 'group            type        nodes  potential  perfect  time (s)'];
  for (const { group } of ctx.domain.groups) {
    const t = ctx.timings.get(group.id) ?? {};
    const total = Object.values(t).reduce((a, b) => a + b, 0);
    lines.push(`${group.name.padEnd(16)} ${group.matchType.padEnd(10)} ${String(await count(ctx, 'nodes', group.id)).padStart(6)}` +
      ` ${String(await count(ctx, 'potential_matches', group.id)).padStart(10)} ${String(await count(ctx, 'perfect_matches', group.id)).padStart(8)}` +
      ` ${total.toFixed(2).padStart(9)}  ${Object.entries(t).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`);
  }
  for (const { group } of ctx.domain.groups) {
    for (const table of ['perfect_matches', 'potential_matches']) {
      const { rows } = await ctx.pool.query(
        `SELECT reference_id, matched_reference_id, compatibility_score FROM ${table}
         WHERE group_id = $1 ORDER BY compatibility_score DESC, reference_id LIMIT 5`, [group.id]);
      if (!rows.length) continue;
      lines.push('', `sample of ${table} in ${group.name}:`);
      for (const r of rows) lines.push(`  ${r.reference_id} ↔ ${r.matched_reference_id}  score ${Number(r.compatibility_score).toFixed(3)}`);
      break;
    }
  }
  out.write(lines.join('\n') + '\n');
}

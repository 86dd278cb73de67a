// `matchflow nodes remove --domain D --group G REF…`: removes people from a group.
import { parseArgs } from 'node:util';
import { removeNodes } from '../import/removeNodes.ts';
import { config } from '../shared/config.ts';
import { createPool } from '../shared/db.ts';
import { createRedis } from '../shared/redis.ts';
import { EXIT, UsageError, type Command } from './command.ts';
import { findGroup } from './findGroup.ts';
import { checkServices } from './preflight.ts';

export const nodesCommand: Command = {
  name: 'nodes',
  help: `Usage: matchflow nodes remove --group G [--domain D] [--wait-seconds S] REF [REF ...]

Removes the nodes with these reference ids from the group, in one transaction: the nodes, every
potential and perfect match that names them, and their participation history. All or nothing:
when a reference id is not in the group, nothing is removed. The group's next incremental
potential cycle refills the top-K lists that lost a neighbour (the nodes concerned are marked
for it), and its perfect run follows.

Options:
  --group G          group id, or name (then --domain is needed unless the name is unique)
  --domain D         domain id or name
  --wait-seconds S   how long to wait for a running cycle of the group to end (default 60)

Exit codes: 0 removed, 1 a reference id is not in the group, or a cycle of the group kept
running, 2 usage error (no such group, no reference id), 3 PostgreSQL or Redis unreachable.`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true,
      options: { group: { type: 'string' }, domain: { type: 'string' }, 'wait-seconds': { type: 'string', default: '60' } },
    });
    if (positionals[0] !== 'remove') throw new UsageError('name an action: remove');
    const refs = positionals.slice(1);
    if (!values.group) throw new UsageError('--group is required');
    if (refs.length === 0) throw new UsageError('name at least one reference id to remove');
    const waitSeconds = Number(values['wait-seconds']);
    if (!(Number.isFinite(waitSeconds) && waitSeconds >= 0)) throw new UsageError('--wait-seconds must be a number of seconds');
    const cfg = config();
    if (!(await checkServices(cfg))) return EXIT.unavailable;
    const pool = createPool(cfg, { max: 2 });
    const redis = createRedis(cfg);
    try {
      const group = await findGroup(pool, values.group, values.domain);
      const out = await removeNodes({ cfg, pool, redis }, group, refs, waitSeconds * 1000);
      if (out.status === 'unknown') {
        const more = out.unknown.length > 10 ? ` and ${out.unknown.length - 10} more` : '';
        process.stderr.write(`not in group ${group.name}: ${out.unknown.slice(0, 10).join(', ')}${more}; nothing was removed\n`);
        return EXIT.failed;
      }
      if (out.status === 'busy') {
        process.stderr.write(`a potential cycle of group ${group.name} is still running after ${waitSeconds} s; nothing was removed: try again\n`);
        return EXIT.failed;
      }
      process.stdout.write(`removed ${out.removed} node(s) from group ${group.name} with ${out.perfectMatches} perfect match(es); `
        + `${out.neighboursToRefill} node(s) lost a potential match and are refilled by the next cycle\n`);
      return EXIT.ok;
    } finally {
      redis.disconnect();
      await pool.end();
    }
  },
};

import type { GroupRow } from '../groups/catalog.ts';
import type { Config } from '../shared/config.ts';
import type { Pool } from '../shared/db.ts';

/** Starts one stage of one group now (`matchflow run <stage>`). Each pipeline adds its stage. */
export interface RunStage {
  describe: string;
  start(cfg: Config, pool: Pool, group: GroupRow, opts: { wait: boolean; force: boolean }): Promise<number>;
  /** --dry-run: compute everything, print what would be written, write nothing */
  dryRun(cfg: Config, pool: Pool, group: GroupRow, opts: { force: boolean }): Promise<number>;
}

import type { Config } from '../../shared/config.ts';
import type { Pool } from '../../shared/db.ts';
import type { DemoDomain } from './demoDomain.ts';

export interface DemoContext {
  cfg: Config;
  pool: Pool;
  domain: DemoDomain;
  /** directory for files the demo writes (CSV inputs) */
  workDir: string;
  /** seconds each stage took, per group id */
  timings: Map<string, Record<string, number>>;
}

/** One pipeline stage the demo runs for every group, through real BullMQ workers. */
export interface DemoStage {
  name: string;
  run(ctx: DemoContext): Promise<void>;
}

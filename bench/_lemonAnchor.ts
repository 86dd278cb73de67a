// The C++ anchor of the matching benches: bench/anchors/lemon_matching.cpp, compiled against LEMON
// (Debian liblemon-dev, header-only for these algorithms) into a temporary directory, and run on
// the same edge CSV files that matchflow reads. When g++ or LEMON is missing, `reason` says how to
// install them and the rows print it instead of a figure.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = fileURLToPath(new URL('./anchors/lemon_matching.cpp', import.meta.url));
const LEMON_HEADER = '/usr/include/lemon/matching.h';

export interface LemonRun {
  nodes: number;
  edges: number;
  pairs: number;
  total: number;
  /** fastest of the runs asked for: the algorithm alone, not reading the file */
  solveSeconds: number;
}

export type LemonAnchor =
  | { available: true; run: (mode: 'weighted' | 'cardinality', file: string, opts?: { bipartite?: boolean; runs?: number }) => LemonRun }
  | { available: false; reason: string };

export function buildLemonAnchor(dir: string): LemonAnchor {
  if (!existsSync(LEMON_HEADER)) return { available: false, reason: 'LEMON not installed: apt-get install -y liblemon-dev' };
  const binary = join(dir, 'lemon_matching');
  const cc = spawnSync('g++', ['-O2', '-std=c++17', SOURCE, '-o', binary], { encoding: 'utf8' });
  if (cc.error) return { available: false, reason: 'no C++ compiler: apt-get install -y g++ liblemon-dev' };
  if (cc.status !== 0) return { available: false, reason: `the LEMON anchor did not compile: ${cc.stderr.split('\n')[0]}` };
  return {
    available: true,
    run(mode, file, opts = {}) {
      const args = [mode, ...(opts.bipartite ? ['--bipartite'] : []), '--runs', String(opts.runs ?? 1), file];
      const r = spawnSync(binary, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
      if (r.status !== 0) throw new Error(`lemon_matching ${args.join(' ')}: ${r.stderr || r.error}`);
      return JSON.parse(r.stdout) as LemonRun;
    },
  };
}

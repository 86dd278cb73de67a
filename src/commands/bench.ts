// The benchmarks are TypeScript run from a source checkout (bench/, and tsx from the dev
// dependencies); the built CLI loads them through tsx in this process. An installation without
// them (the Docker image) says so instead of failing.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../shared/packageRoot.ts';
import { EXIT, type Command } from './command.ts';

const NOT_HERE = 'the benchmarks are not part of this installation; run them from a source checkout: '
  + 'git clone …, npm ci, npm run bench -- [name …]';

async function loadBenches(): Promise<{ runBenches(names: string[]): Promise<number> } | string> {
  const runner = join(PACKAGE_ROOT, 'bench', 'run.ts');
  if (!existsSync(runner)) return `${NOT_HERE} (no bench/ here)`;
  try {
    // tsx is a dev dependency: absent where only the runtime dependencies were installed
    const tsx = await import('tsx/esm/api');
    tsx.register();
  } catch {
    return `${NOT_HERE} (tsx, a dev dependency, is not installed here)`;
  }
  return (await import(pathToFileURL(runner).href)) as { runBenches(names: string[]): Promise<number> };
}

export const benchCommand: Command = {
  name: 'bench',
  help: `Usage: matchflow bench [name ...]

Runs the named benchmarks (default: all) against the configured PostgreSQL and Redis; each prints
a table and the anchor measured in the same run (for example psql \\copy of the same file), so
that figures read as ratios rather than one machine's seconds. Same as \`npm run bench -- name\`.
The benchmarks live in bench/ of a source checkout and need its dev dependencies: an installation
without them (the Docker image) says so and exits 2.
Exit codes: 0 done, 1 a benchmark failed, 2 unknown benchmark name, or no benchmarks here.`,
  async run(argv) {
    const benches = await loadBenches();
    if (typeof benches === 'string') {
      process.stderr.write(`matchflow bench: ${benches}\n`);
      return EXIT.usage;
    }
    return (await benches.runBenches(argv)) === 0 ? EXIT.ok : EXIT.usage;
  },
};

import { EXIT, type Command } from './command.ts';

export const benchCommand: Command = {
  name: 'bench',
  summary: 'run the benchmarks of bench/ (import, potential, perfect) and print their tables',
  help: `Usage: matchflow bench [name ...]

Runs the named benchmarks (default: all) against the configured PostgreSQL and Redis; each prints
a table and the anchor measured in the same run (for example psql \\copy of the same file), so
that figures read as ratios rather than one machine's seconds. Same as \`npm run bench -- name\`.
Exit codes: 0 done, 1 a benchmark failed, 2 unknown benchmark name.`,
  async run(argv) {
    const { runBenches } = await import('../../bench/run.ts');
    return (await runBenches(argv)) === 0 ? EXIT.ok : EXIT.usage;
  },
};

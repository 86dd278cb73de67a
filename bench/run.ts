// `npm run bench [-- name ...]`: runs the named benchmarks (default: all), each printing a table
// with the anchor it measured in the same run. A benchmark is bench/<name>.ts exporting run().
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

export async function availableBenches(): Promise<string[]> {
  return (await readdir(here)).filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_')).map((f) => f.slice(0, -3)).sort();
}

export async function runBenches(names: string[]): Promise<number> {
  const all = await availableBenches();
  const chosen = names.length ? names : all;
  for (const name of chosen) {
    if (!all.includes(name)) {
      process.stderr.write(`unknown benchmark '${name}' (available: ${all.join(', ') || 'none yet'})\n`);
      return 2;
    }
  }
  for (const name of chosen) {
    process.stdout.write(`\n=== bench ${name} ===\n`);
    const mod = (await import(new URL(`./${name}.ts`, import.meta.url).href)) as { run: () => Promise<void> };
    await mod.run();
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  if (args.includes('--help')) {
    process.stdout.write(`Usage: npm run bench [-- name ...]\nBenchmarks: ${(await availableBenches()).join(', ')}\n`);
    process.exit(0);
  }
  runBenches(args).then((code) => process.exit(code), (err) => {
    process.stderr.write(`${err?.stack ?? err}\n`);
    process.exit(1);
  });
}

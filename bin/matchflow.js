#!/usr/bin/env node
// The `matchflow` command: the compiled CLI in dist/, in this very process (signals reach it once).
// `npm ci` builds dist/ (the prepare script); so do `npm run build` and `npm test`.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('matchflow: dist/ is not built: run `npm run build` (`npm ci` runs it)\n');
  process.exit(1);
}
await import(cli.href);

#!/usr/bin/env node
// `npm run audit`: npm audit of the runtime dependencies (npm audit --omit=dev). Exits 1 when an
// advisory concerns one of them. When the registry's advisory endpoint gives no answer (no
// network, a proxy that refuses it), it says so plainly — nothing was checked — and exits 0, so
// that an offline build does not fail on it; the CI job that has a network is the one that counts.
import { spawnSync } from 'node:child_process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = spawnSync(npm, ['audit', '--omit=dev', '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
if (run.error) {
  process.stderr.write(`npm audit could not run: ${run.error.message}\n`);
  process.exit(1);
}

let answer;
try {
  answer = JSON.parse(run.stdout);
} catch {
  answer = undefined;
}

if (answer && typeof answer.vulnerabilities === 'object') {
  const found = Object.values(answer.vulnerabilities);
  const total = answer.metadata?.vulnerabilities?.total ?? found.length;
  const deps = answer.metadata?.dependencies?.prod ?? answer.metadata?.dependencies?.total ?? '?';
  for (const v of found) {
    const via = v.via.map((x) => (typeof x === 'string' ? `through ${x}` : `${x.title} ${x.url ?? ''}`.trim())).join('; ');
    const fix = v.fixAvailable === false ? 'no fix available'
      : v.fixAvailable === true ? 'fix: npm audit fix' : `fix: ${v.fixAvailable.name}@${v.fixAvailable.version}`;
    process.stdout.write(`${v.severity.padEnd(8)} ${v.name} ${v.range}: ${via} (${fix})\n`);
  }
  process.stdout.write(`npm audit: ${total} vulnerable runtime package${total === 1 ? '' : 's'} (of ${deps} runtime dependencies)\n`);
  process.exit(total > 0 ? 1 : 0);
}

// No report. An error of the advisory endpoint (unreachable, refused) is not a finding; anything
// else (no lockfile, a broken npm) is a failure.
const said = `${run.stderr}\n${answer?.message ?? ''}\n${answer?.error?.summary ?? ''}`;
const NO_ANSWER = /audit endpoint returned an error|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|socket hang up/;
if (NO_ANSWER.test(said)) {
  const reason = (said.match(/npm warn audit (.+)/)?.[1] ?? answer?.message ?? 'no answer').trim();
  process.stdout.write(`npm audit: the registry's advisory endpoint could not be reached (${reason}).\n` +
    'npm audit: the runtime dependencies were NOT checked for advisories; run `npm run audit` where the registry is reachable.\n');
  process.exit(0);
}
process.stderr.write(run.stderr || run.stdout);
process.exit(run.status || 1);

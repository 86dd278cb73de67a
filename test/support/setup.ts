// Loaded by mocha before any test file: quiet logs unless LOG_LEVEL is set, and a dist/ built from
// the sources under test — tests that spawn bin/matchflow.js run dist/, which must never be older
// than the code they test (scripts/build.js rebuilds it only when the sources changed).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

process.env.LOG_LEVEL ??= 'silent';

const BUILD = fileURLToPath(new URL('../../scripts/build.js', import.meta.url));
const built = spawnSync(process.execPath, [BUILD], { stdio: 'inherit' });
if (built.status !== 0) throw new Error(`the build of dist/ failed (node scripts/build.js exited ${built.status}): the CLI tests would run stale code`);

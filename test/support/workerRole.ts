// The worker role of a test schema (src/shared/dbRoles.ts), for suites whose workers must run as
// the least-privileged role rather than as the schema's owner. Roles are cluster-wide: drop() takes
// it away again.
import { applyRoles } from '../../src/shared/dbRoles.ts';
import { ident, type Pool } from '../../src/shared/db.ts';

export interface TestWorkerRole {
  /** `databaseUrl` with the worker role's name and password */
  url: string;
  drop(): Promise<void>;
}

export async function provisionWorkerRole(owner: Pool, schema: string, databaseUrl: string): Promise<TestWorkerRole> {
  const name = `${schema}_worker`;
  const password = 'test-worker-password';
  await applyRoles(owner, schema, { worker: { name, password }, dashboard: { name: `${schema}_dashboard`, password: '' } });
  const u = new URL(databaseUrl);
  u.username = name;
  u.password = password;
  return {
    url: u.toString(),
    async drop() {
      await owner.query(`DROP OWNED BY ${ident(name)}`).catch(() => undefined);
      await owner.query(`DROP ROLE IF EXISTS ${ident(name)}`).catch(() => undefined);
    },
  };
}

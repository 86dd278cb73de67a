-- The cluster-wide matchflow_worker of 050 (granted on every migrated schema, TRUNCATE on every
-- table, no password) gives way to the roles `matchflow migrate` creates per schema from settings
-- (src/shared/dbRoles.ts): this schema's grants to it are taken back. The role itself is
-- cluster-wide and may still serve schemas not migrated yet, so it is left to the operator to drop
-- once none needs it (docs/security.md). A deployment that names its worker role matchflow_worker
-- (DB_WORKER_ROLE) gets it back, with a password and the new grants, from the same migrate.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'matchflow_worker') THEN
    RETURN;
  END IF;
  EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM matchflow_worker', current_schema());
  EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM matchflow_worker', current_schema());
  EXECUTE format('REVOKE ALL ON SCHEMA %I FROM matchflow_worker', current_schema());
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE ALL ON TABLES FROM matchflow_worker', current_schema());
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE ALL ON SEQUENCES FROM matchflow_worker', current_schema());
END
$$;

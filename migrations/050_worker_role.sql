-- A least-privileged role for workers and producers: read and write rows, no DDL, no superuser.
-- Only `matchflow migrate` (run as the schema owner) changes the schema. The role has no
-- password here; production sets one (ALTER ROLE matchflow_worker PASSWORD '…').
DO $$
BEGIN
  -- roles are cluster-wide: serialize creation across concurrent migrations of other schemas
  PERFORM pg_advisory_xact_lock(hashtext('matchflow-worker-role'));
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'matchflow_worker') THEN
    CREATE ROLE matchflow_worker LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
  END IF;
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO matchflow_worker', current_schema());
  EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM matchflow_worker', current_schema());
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA %I TO matchflow_worker', current_schema());
  EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO matchflow_worker', current_schema());
  -- tables and sequences that later migrations create get the same grants
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO matchflow_worker', current_schema());
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO matchflow_worker', current_schema());
  -- nothing may be read or written in schema_migrations but by the owner
  EXECUTE format('REVOKE ALL ON %I.schema_migrations FROM matchflow_worker', current_schema());
END
$$;

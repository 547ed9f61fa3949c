-- Custom migration: trovella_private.secure_tenant_tables() secures the tables that queries name, not their
-- partitions. A hash-partitioned tenant table (the partitioned-schema test, see docs/citus.md) is read and
-- written through its parent, whose policies and grants apply; a partition left without RLS or grants cannot
-- be reached by `authenticated` directly at all (no privilege), which is what the RLS doctor expects of a
-- table without policies. Otherwise the same function as in the tenant_security migration.

CREATE OR REPLACE FUNCTION trovella_private.secure_tenant_tables() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  tbl record;
BEGIN
  FOR tbl IN
    SELECT c.oid::regclass AS name, c.relname
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'organization_id' AND NOT a.attisdropped
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  LOOP
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl.name);
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl.name);
    EXECUTE format('REVOKE ALL ON %s FROM PUBLIC, anonymous', tbl.name);
    IF tbl.relname IN ('member', 'invitation') THEN
      -- Identity rows are written by Better Auth (trovella_auth); the gateway only reads them.
      EXECUTE format('REVOKE INSERT, UPDATE, DELETE ON %s FROM authenticated', tbl.name);
      EXECUTE format('GRANT SELECT ON %s TO authenticated', tbl.name);
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO trovella_auth', tbl.name);
    ELSE
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO authenticated', tbl.name);
    END IF;
  END LOOP;
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION trovella_private.secure_tenant_tables() FROM PUBLIC;

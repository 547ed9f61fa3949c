-- Custom migration: FORCE ROW LEVEL SECURITY and grants, which drizzle-kit does not emit.
--
-- trovella_private.secure_tenant_tables() finds every table with an organization_id column and makes sure
-- RLS is enabled and forced and that `authenticated` holds exactly the grants it needs. It is idempotent;
-- `npm run db:migrate` calls it again after every run, so a tenant table added by a later migration is
-- forced and granted by construction (the RLS doctor test checks the result either way).

CREATE SCHEMA IF NOT EXISTS trovella_private;
--> statement-breakpoint
REVOKE ALL ON SCHEMA trovella_private FROM PUBLIC;
--> statement-breakpoint
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
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
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
--> statement-breakpoint
SELECT trovella_private.secure_tenant_tables();
--> statement-breakpoint
-- Global reference data: every principal may read it.
GRANT SELECT ON "ai_model", "ai_model_pricing" TO authenticated, anonymous;
--> statement-breakpoint
-- Identity tables belong to Better Auth's role. The gateway reads users and organizations (names of
-- fellow members, the viewer's organizations) but never credentials.
GRANT SELECT, INSERT, UPDATE, DELETE ON "user", "session", "account", "verification", "organization", "personal_access_token" TO trovella_auth;
--> statement-breakpoint
GRANT SELECT ("id", "name", "email", "email_verified", "image", "created_at", "updated_at") ON "user" TO authenticated;
--> statement-breakpoint
GRANT SELECT ("id", "name", "slug", "logo", "type", "metadata", "created_at") ON "organization" TO authenticated;
--> statement-breakpoint
-- Token metadata only: the hash column is not granted, so not even a bug can select it from the gateway.
GRANT SELECT ("id", "user_id", "name", "token_prefix", "scopes", "expires_at", "revoked_at", "last_used_at", "created_at", "updated_at") ON "personal_access_token" TO authenticated;
--> statement-breakpoint
-- Personal access tokens are user-scoped global rows, filtered by application code (the viewer's own):
-- the gateway may create them (writing the hash, never reading it back) and revoke them.
GRANT INSERT ("id", "user_id", "name", "token_hash", "token_prefix", "scopes", "expires_at", "created_at", "updated_at") ON "personal_access_token" TO authenticated;
--> statement-breakpoint
GRANT UPDATE ("revoked_at", "updated_at") ON "personal_access_token" TO authenticated;

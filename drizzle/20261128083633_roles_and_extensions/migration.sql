-- Custom migration: what drizzle-kit does not emit. Runs before the tables exist.
-- Roles are cluster-wide and several databases (tests, benchmarks) share a cluster: create them
-- idempotently, tolerating a concurrent creator.

CREATE EXTENSION IF NOT EXISTS vector;
--> statement-breakpoint
DO $$
DECLARE
  role_spec text[];
BEGIN
  FOREACH role_spec SLICE 1 IN ARRAY ARRAY[
    -- name,            attributes
    ARRAY['authenticated', 'NOLOGIN NOINHERIT NOBYPASSRLS'],
    ARRAY['anonymous',     'NOLOGIN NOINHERIT NOBYPASSRLS'],
    -- The gateway's runtime login: owns nothing, inherits nothing, may only SET ROLE to the two above.
    ARRAY['trovella_app',  'LOGIN NOINHERIT NOBYPASSRLS NOSUPERUSER NOCREATEDB NOCREATEROLE'],
    -- Better Auth's login: writes identity rows (member, invitation) outside any tenant context, so it
    -- bypasses RLS; it is granted the identity tables and nothing else.
    ARRAY['trovella_auth', 'LOGIN NOINHERIT BYPASSRLS NOSUPERUSER NOCREATEDB NOCREATEROLE']
  ] LOOP
    BEGIN
      EXECUTE format('CREATE ROLE %I %s', role_spec[1], role_spec[2]);
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      EXECUTE format('ALTER ROLE %I %s', role_spec[1], role_spec[2]);
    END;
  END LOOP;
END
$$;
--> statement-breakpoint
GRANT authenticated, anonymous TO trovella_app;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO authenticated, anonymous, trovella_auth;

-- Custom migration: what drizzle-kit does not emit. Runs before the tables exist.
-- Roles are cluster-wide, and several databases of one cluster (tests, benchmarks) may be migrated at the
-- same moment: a role is created only when missing and altered only when its attributes differ (two
-- concurrent ALTER ROLEs on the same role fail with "tuple concurrently updated"), and losing a race to
-- create it is fine.

CREATE EXTENSION IF NOT EXISTS vector;
--> statement-breakpoint
DO $$
DECLARE
  spec record;
  current_attributes text;
BEGIN
  FOR spec IN
    SELECT * FROM (VALUES
      ('authenticated', false, false, 'NOLOGIN NOINHERIT NOBYPASSRLS'),
      ('anonymous',     false, false, 'NOLOGIN NOINHERIT NOBYPASSRLS'),
      -- The gateway's runtime login: owns nothing, inherits nothing, may only SET ROLE to the two above.
      ('trovella_app',  true,  false, 'LOGIN NOINHERIT NOBYPASSRLS NOSUPERUSER NOCREATEDB NOCREATEROLE'),
      -- Better Auth's login: writes identity rows (member, invitation) outside any tenant context, so it
      -- bypasses RLS; it is granted the identity tables and nothing else.
      ('trovella_auth', true,  true,  'LOGIN NOINHERIT BYPASSRLS NOSUPERUSER NOCREATEDB NOCREATEROLE')
    ) AS roles(name, can_login, bypass_rls, attributes)
  LOOP
    SELECT format('%s/%s/%s/%s', rolcanlogin, rolbypassrls, rolinherit, rolsuper) INTO current_attributes
    FROM pg_roles WHERE rolname = spec.name;
    IF current_attributes IS NULL THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I %s', spec.name, spec.attributes);
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL; -- created concurrently by another database's migration
      END;
    ELSIF current_attributes <> format('%s/%s/f/f', spec.can_login, spec.bypass_rls) THEN -- format() prints booleans as t/f
      EXECUTE format('ALTER ROLE %I %s', spec.name, spec.attributes);
    END IF;
  END LOOP;
END
$$;
--> statement-breakpoint
DO $$
BEGIN
  IF NOT pg_has_role('trovella_app', 'authenticated', 'MEMBER') OR NOT pg_has_role('trovella_app', 'anonymous', 'MEMBER') THEN
    GRANT authenticated, anonymous TO trovella_app;
  END IF;
EXCEPTION WHEN internal_error THEN
  NULL; -- "tuple concurrently updated": another database's migration granted it at the same moment
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO authenticated, anonymous, trovella_auth;

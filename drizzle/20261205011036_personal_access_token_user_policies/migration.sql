-- Personal access tokens become the one user-scoped table under RLS: `authenticated` sees and changes only
-- the rows whose user_id is the transaction's app.user_id (schema/base.ts userPolicies()). The column grants of
-- the tenant_security migration still decide what it may do at all (never read token_hash, never delete).
-- Not forced: the owner and Better Auth's login (BYPASSRLS, the token look-up) reach every row.

ALTER TABLE "personal_access_token" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "personal_access_token_user_select" ON "personal_access_token" AS PERMISSIVE FOR SELECT TO "authenticated" USING ("personal_access_token"."user_id" = nullif((select current_setting('app.user_id', true)), ''));--> statement-breakpoint
CREATE POLICY "personal_access_token_user_insert" ON "personal_access_token" AS PERMISSIVE FOR INSERT TO "authenticated" WITH CHECK ("personal_access_token"."user_id" = nullif((select current_setting('app.user_id', true)), ''));--> statement-breakpoint
CREATE POLICY "personal_access_token_user_update" ON "personal_access_token" AS PERMISSIVE FOR UPDATE TO "authenticated" USING ("personal_access_token"."user_id" = nullif((select current_setting('app.user_id', true)), '')) WITH CHECK ("personal_access_token"."user_id" = nullif((select current_setting('app.user_id', true)), ''));--> statement-breakpoint
CREATE POLICY "personal_access_token_user_delete" ON "personal_access_token" AS PERMISSIVE FOR DELETE TO "authenticated" USING ("personal_access_token"."user_id" = nullif((select current_setting('app.user_id', true)), ''));
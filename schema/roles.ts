import { pgRole } from "drizzle-orm/pg-core";

/**
 * Roles the policies and grants speak of. They are created (idempotently) by the custom migration
 * `drizzle/*_roles_and_extensions`, because drizzle-kit cannot create roles that survive across databases
 * of one cluster: hence `.existing()`.
 *
 * - `authenticated`: a signed-in principal inside `withTenantContext()`; reaches tenant rows of
 *   `app.organization_id` only, through the four policies.
 * - `anonymous`: nobody signed in; reads global reference data, no tenant rows.
 * - `trovella_app`: the gateway's runtime login; owns nothing, no BYPASSRLS; may only `SET ROLE` to the two above.
 * - `trovella_auth`: Better Auth's login; BYPASSRLS but granted the identity tables only.
 */
export const authenticatedRole = pgRole("authenticated").existing();
export const anonymousRole = pgRole("anonymous").existing();
export const appRuntimeRoleName = "trovella_app";
export const authRuntimeRoleName = "trovella_auth";

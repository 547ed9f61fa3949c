import { createHash } from "node:crypto";
import type postgres from "postgres";

// How the PostGraphile, baseline and Yoga floor servers authenticate a request, the same way our gateway does: the
// personal access token (`Authorization: Bearer trv_…`) is looked up by its SHA-256 on every request, and the
// tenant (`X-Organization-Id`) must be one of the user's memberships. One statement, as Better Auth's
// login (`trovella_auth`, which may read tokens and memberships), before the tenant transaction opens.

export interface TenantIdentity {
  userId: string;
  organizationId: string;
}

export const principalSql = `select t.user_id, m.role
  from personal_access_token t
  left join member m on m.user_id = t.user_id and m.organization_id = $2
  where t.token_hash = $1 and t.revoked_at is null and (t.expires_at is null or t.expires_at > now())`;

export class AuthError extends Error {
  constructor(
    message: string,
    readonly status: 401 | 403,
  ) {
    super(message);
  }
}

export interface RequestCredentials {
  tokenHash: string;
  organizationId: string;
}

/** The credentials a request presents, or an AuthError (401) when they are missing or malformed. */
export function readCredentials(
  authorization: string | string[] | undefined,
  organization: string | string[] | undefined,
): RequestCredentials {
  const header = Array.isArray(authorization) ? authorization[0] : authorization;
  const match = /^bearer\s+(trv_\S+)$/i.exec(header?.trim() ?? "");
  const orgHeader = Array.isArray(organization) ? organization[0] : organization;
  const organizationId = orgHeader?.trim() ?? "";
  if (!match?.[1]) throw new AuthError("a personal access token is required", 401);
  if (organizationId === "" || organizationId.length > 200) throw new AuthError("X-Organization-Id is required", 401);
  return { tokenHash: createHash("sha256").update(match[1]).digest("hex"), organizationId };
}

/** Checks the looked-up row: an unknown token is 401, a tenant the user does not belong to is 403. */
export function identityFrom(
  rows: readonly { user_id: string; role: string | null }[],
  organizationId: string,
): TenantIdentity {
  const row = rows[0];
  if (!row) throw new AuthError("the personal access token is invalid, expired or revoked", 401);
  if (row.role === null) throw new AuthError("not a member of this organization", 403);
  return { userId: row.user_id, organizationId };
}

/** The request's identity: its credentials checked with one statement on the `trovella_auth` pool. */
export async function identify(
  authSql: postgres.Sql,
  authorization: string | string[] | undefined,
  organization: string | string[] | undefined,
): Promise<TenantIdentity> {
  const credentials = readCredentials(authorization, organization);
  const rows = await authSql.unsafe<{ user_id: string; role: string | null }[]>(
    principalSql,
    [credentials.tokenHash, credentials.organizationId],
    { prepare: true },
  );
  return identityFrom(rows, credentials.organizationId);
}
